"""Variantes de respuesta por ejercicio: errores plausibles («mutantes») y respuestas correctas
escritas de otra forma («alternativas»). Las usan tests/test_mutants.py, la tabla de
docs/ejercicios.md y las entregas de prueba del corrector."""
