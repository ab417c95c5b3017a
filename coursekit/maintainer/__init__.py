"""Herramientas de quien mantiene el curso: ``notebook_builder`` (genera ``notebooks/`` a partir
de ``solutions/``), ``release`` (repositorio, etiqueta y celdas de instalación), ``lab_runner``
(ejecuta un lab de principio a fin con un perfil) y ``standin_hub`` (con ``standin_data``: una caché
de Hugging Face que sustituye al Hub para ejecutar ``full`` sin red) y ``kernel_start`` (arranque
de los kernels de las pruebas con reintentos). Ningún notebook del estudiante las importa.
"""
