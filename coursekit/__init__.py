"""coursekit: el paquete de apoyo del curso de fine-tuning en español.

Organizado por tema, no por lab: ``profiles`` (qué modelo y datos usa cada máquina),
``environment`` (dónde se ejecuta el notebook), ``data``, ``models``, ``metrics``,
``padding``, ``plots``, ``checks`` (comprobación de ejercicios) y
``notebook_builder`` (versiones de estudiante).

Los submódulos se importan bajo demanda para que ``import coursekit`` sea rápido.
"""

__version__ = "0.3.0"

# El repositorio público y la etiqueta que instalan los notebooks: coursekit.release.
