"""Corrector del instructor: ``coursekit grade ENTREGAS --lab NN``.

Módulos, uno por tarea:

- ``layouts``: encontrar las entregas (carpeta, zip de Moodle o de Canvas) y de qué lab son;
- ``sandbox``: aislar cada entrega (bubblewrap, usuario sin privilegios, límites);
- ``run_one``: se ejecuta *dentro* del aislamiento: corre el notebook y las sondas;
- ``hidden``: cargar las pruebas ocultas (fuera del paquete) y sus puntos;
- ``execution``: lanzar una entrega aislada y leer su resultado;
- ``scoring``: juzgar lo observado fuera del aislamiento y repartir puntos;
- ``reports``: ``notas.csv``, retroalimentación por estudiante y ``resumen.html``;
- ``grader``: el flujo completo, con varios trabajadores en paralelo.

Después de corregir, sobre la carpeta de resultados y sin ejecutar nada:

- ``rejudge``: sondas guardadas por entrega y volver a juzgar (``coursekit rejudge``);
- ``finalize``: ``coursekit finish-grades``: notas a mano (``manual``), retrasos (``late``),
  «revisar a mano» (``review``), parecidos (``similarity``) y archivos del LMS (``lms``);
- ``manifest``: ``manifiesto.json``, lo que produjo cada nota.
"""
