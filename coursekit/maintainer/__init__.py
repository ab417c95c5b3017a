"""Herramientas de quien mantiene el curso: ``notebook_builder`` (genera ``notebooks/`` a partir
de ``solutions/``), ``release`` (repositorio, etiqueta y celdas de instalación) y ``lab_runner``
(ejecuta un lab de principio a fin con un perfil). Ningún notebook del estudiante las importa.
"""
