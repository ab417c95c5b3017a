"""``coursekit bench``: benchmarks que reproducen las cifras del curso con un solo comando.

Un módulo por benchmark: :mod:`~coursekit.instructor.bench.padding_speed` (relleno por época de
entrenamiento), :mod:`~coursekit.instructor.bench.methods` (la tabla del lab 07, con una o varias
semillas), :mod:`~coursekit.instructor.bench.pooling_probe` (sonda lineal del codificador
congelado con cada agrupación), :mod:`~coursekit.instructor.bench.labs` (tiempo y memoria de
cada lab) y :mod:`~coursekit.instructor.bench.full_rehearsal` (el ensayo de ``full`` en GPU, como
en una T4, con el Hub sustituto). Cada uno imprime una tabla, escribe JSON y una gráfica en
``bench-results/`` e imprime su razón principal al final.
"""

BENCHMARKS = ("padding", "methods", "pooling", "labs", "full-rehearsal")
