"""Herramientas del instructor: ``grading`` (``coursekit grade``, el corrector de entregas) y
``bench`` (``coursekit bench``, las cifras medidas de ``docs/benchmarks.md``).

Ningún notebook del estudiante importa nada de aquí. Las pruebas ocultas del corrector viven
fuera del paquete, en ``hidden_tests/`` de la raíz del repositorio.
"""
