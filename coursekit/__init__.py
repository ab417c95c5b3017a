"""coursekit: el paquete de apoyo del curso de fine-tuning en español.

Un mapa del repositorio, por quién usa cada parte (detalle en ``docs/arquitectura.md``):

- **Estudiante** (lo que importan los notebooks; estable y pequeño), en ``coursekit/``:
  ``profiles``, ``environment``, ``install``, ``data``, ``models``, ``metrics`` (+
  ``metric_modules/``), ``padding``, ``training``, ``checkpoints``, ``optim``, ``peft_methods``,
  ``method_settings``, ``comparison``, ``predictions``, ``plots``, ``widgets``,
  ``tensorboard_logs``, ``keras_models``, ``checks`` + ``lab_checks/`` (comprobaciones de los
  ejercicios), ``quiz`` + ``quizzes/`` (el cuestionario final de cada lab), ``exercises``,
  ``toy_models`` y ``errors``.
- **Instructor**: ``coursekit.instructor.grading`` (``coursekit grade``),
  ``coursekit.instructor.bench`` (``coursekit bench``); pruebas ocultas en ``hidden_tests/``.
- **Mantenedor**: ``coursekit.maintainer`` (``notebook_builder``, ``release``, ``lab_runner``).
- De los tres: ``cli`` (el comando ``coursekit``) y ``notebook_cells`` (el texto de una celda,
  para el constructor y el corrector).

Los submódulos se importan bajo demanda para que ``import coursekit`` sea rápido.
"""

__version__ = "0.3.0"

# El repositorio público y la etiqueta que instalan los notebooks: coursekit.maintainer.release.
