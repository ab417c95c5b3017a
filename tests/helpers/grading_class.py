"""Construye una clase de prueba para el corrector: entregas buenas, parciales y hostiles.

Las hostiles son notebooks diminutos: un título que los identifica como del lab 01 y la celda
hostil. Cada una tiene la fila que debe salir en ``notas.csv``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HIDDEN_LAB01 = ROOT / "hidden_tests" / "lab01.py"
LAB = "01_preparar_datos"

HOSTILE = {
    "bucle_infinito": "while True:\n    pass",
    "sys_exit": "import sys\nsys.exit()",
    "os_exit": "import os\nos._exit(1)",
    "segfault": "import ctypes\nctypes.string_at(0)",
    "memoria_5gb": "import numpy as np\nx = np.ones(5 * 1024**3 // 8)",
    "salida_100mb": "for _ in range(100):\n    print('x' * 1_000_000)",
    "bomba_fork": "import os\nwhile True:\n    os.fork()",
    "parchea_check": (
        "import numpy as np\nimport coursekit.checks\n"
        "coursekit.checks.check = lambda *a, **k: True\n"
        "np.array_equal = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
        "def tokenize_function(batch):\n    return {}\n"
        "def take_random_subset(split, size, seed):\n    return []\n"
        "import torch\nbatch = {'input_ids': torch.zeros(2, 3)}\n"
        "dynamic_positions = max_length_positions = 1\n"
        "coursekit.checks.check('01-tokenizar')"
    ),
    "busca_pruebas": (
        "import os\nfound = []\n"
        "for root, dirs, files in os.walk('/'):\n"
        "    dirs[:] = [d for d in dirs if (root, d) not in {('/', 'proc'), ('/', 'sys'), "
        "('/', 'usr'), ('/', 'dev')}]\n"
        "    found += [os.path.join(root, f) for f in files if f == 'lab01.py']\n"
        f"found += [p for p in [{str(HIDDEN_LAB01)!r}] if os.path.exists(p)]\n"
        "print('HALLADOS:', found)\nprint('UID:', os.getuid())\n"
        # Aislamiento visto desde dentro: red, espacio de PID y el proceso del corrector.
        "import socket\nprint('INTERFACES:', [name for _, name in socket.if_nameindex()])\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=5).close()\n"
        "    print('RED: conectada')\nexcept OSError as error:\n    print('RED:', error.errno)\n"
        "print('PID:', os.getpid())\nprint('PID1:', open('/proc/1/comm').read().strip())\n"
        f"print('VE_CORRECTOR:', os.path.exists('/proc/{os.getpid()}'))"
    ),
    "borra_todo": (
        "import os, shutil\n"
        f"for path in ('.', '..', '/tmp', '/work', {str(ROOT)!r}):\n"
        "    shutil.rmtree(path, ignore_errors=True)\n"
        "try:\n"
        f"    open({str(ROOT / 'README.md')!r}, 'w').write('borrado')\n"
        "except OSError as error:\n"
        "    print('NO PUEDO ESCRIBIR:', type(error).__name__)"
    ),
    # Datos absurdos para las sondas: listas enormes, textos larguísimos y NaN. Los
    # jueces no deben usarlos (cero con «datos de la sonda no válidos»), y el resto de la clase
    # se corrige igual.
    "datos_absurdos": (
        "import math\n"
        "def tokenize_function(batch):\n"
        "    return {'input_ids': [[7] * 20_000 for _ in batch['text']], 'attention_mask': []}\n"
        "def take_random_subset(split, size, seed):\n"
        "    return {'text': ['x' * 5000] * size}\n"
        "import torch\nbatch = {'input_ids': torch.zeros(2, 3)}\n"
        "dynamic_positions = math.nan\nmax_length_positions = math.inf"
    ),
    "archivo_enorme": (
        "chunk = b'0' * (64 * 1024**2)\n"
        "with open('enorme.bin', 'wb') as f:\n"
        "    for _ in range(64):\n"
        "        f.write(chunk)"
    ),
}


def _tiny_notebook(code: str) -> dict:
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": code,
        "outputs": [],
        "execution_count": None,
    }
    header = {"cell_type": "markdown", "metadata": {}, "source": "# Lab 01 · Preparar los datos"}
    return {"cells": [header, cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


# La entrega parcial es la solución con un error de la tabla de mutantes del lab 01: la misma
# tabla que prueba las comprobaciones alimenta las pruebas de crédito parcial del corrector.
PARTIAL_MUTANT = ("01-subconjunto-aleatorio", "sin-semilla")


def partial_notebook() -> dict:
    """La solución del lab 01 con el mutante ``PARTIAL_MUTANT`` en su ejercicio: baraja sin la
    semilla, así que pierde solo la parte «reproducible con la semilla»."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from mutants.lab01 import VARIANTS
    from mutants.runner import replace_region

    exercise, name = PARTIAL_MUTANT
    (variant,) = [v for v in VARIANTS if (v.exercise, v.name) == PARTIAL_MUTANT]
    notebook = json.loads((ROOT / "solutions" / f"{LAB}.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if f"# BEGIN SOLUTION {exercise}" in source:
            cell["source"] = replace_region(source, exercise, variant.code)
    return notebook


# Entregas de la clase de prueba: (nombre en Moodle, archivo, fila esperada).
# Fila esperada: (puntos, estado, texto que debe aparecer en el motivo).
FORMULA_NAME = '=HYPERLINK("evil.example";"ver")'
CP850_NAME = "José Álvarez"
BROKEN = "Zip Roto"
BROKEN_MARKER = b"MARCA-CRC-ROTO"

EXPECTED = {
    "Solución Completa": (8, "corregida", ""),
    "Sin Hacer": (0, "corregida", "3 ejercicios sin resolver"),
    "Entrega Parcial": (7, "corregida", ""),
    "Bucle Infinito": (0, "corregida", "no terminó en 30 s: se interrumpió"),
    "Sys Exit": (0, "corregida", "SystemExit"),
    "Os Exit": (0, "kernel muerto", "terminó en la celda 1"),
    "Segfault": (0, "kernel muerto", "terminó en la celda 1"),
    "Memoria Cinco": (0, "corregida", "MemoryError"),
    "Salida Enorme": (0, "corregida", "salida cortada"),
    "Bomba Fork": (0, "corregida", "celda 1"),
    "Parchea Check": (0, "corregida", ""),
    "Busca Pruebas": (0, "corregida", ""),
    "Borra Todo": (0, "corregida", ""),
    "Archivo Enorme": (0, "corregida", "File too large"),
    "Json Roto": (0, "ilegible", "JSON"),
    "Vacio": (0, "vacía", "vacío"),
    "Otro Lab": (0, "otro lab", "es del lab 02"),
    # Lo que llega en el zip: un nombre en cp850 sin la marca UTF-8 (el compresor de
    # Windows en español), un nombre que Excel ejecutaría como fórmula (sale con apóstrofo), un
    # archivo dañado dentro del zip (su fila dice por qué) y datos absurdos para las sondas.
    "José Álvarez": (0, "corregida", ""),
    f"'{FORMULA_NAME}": (0, "corregida", ""),
    "Zip Roto": (0, "ilegible", "CRC"),
    "Datos Absurdos": (0, "corregida", ""),
}
# Las entregas de arriba que sí se ejecutan (tienen un notebook legible del lab 01).
EXECUTED = 17
# Las que deben salir con «datos de la sonda no válidos» en cada ejercicio.
ABSURD = "Datos Absurdos"


def _submissions() -> dict[str, tuple[str, bytes]]:
    """Nombre del estudiante → (nombre del archivo entregado, contenido)."""
    solution = (ROOT / "solutions" / f"{LAB}.ipynb").read_bytes()
    files = {
        "Solución Completa": (f"Copia de {LAB}.ipynb", solution),
        "Sin Hacer": (f"{LAB}.ipynb", (ROOT / "notebooks" / f"{LAB}.ipynb").read_bytes()),
        "Entrega Parcial": (f"{LAB}.ipynb", json.dumps(partial_notebook()).encode()),
        "Json Roto": (f"{LAB}.ipynb", b'{"cells": ['),
        "Vacio": (f"{LAB}.ipynb", b""),
        "Otro Lab": ("02_trainer.ipynb", (ROOT / "notebooks" / "02_trainer.ipynb").read_bytes()),
    }
    hostile_names = {
        "Bucle Infinito": "bucle_infinito",
        "Sys Exit": "sys_exit",
        "Os Exit": "os_exit",
        "Segfault": "segfault",
        "Memoria Cinco": "memoria_5gb",
        "Salida Enorme": "salida_100mb",
        "Bomba Fork": "bomba_fork",
        "Parchea Check": "parchea_check",
        "Busca Pruebas": "busca_pruebas",
        "Borra Todo": "borra_todo",
        "Archivo Enorme": "archivo_enorme",
        "Datos Absurdos": "datos_absurdos",
    }
    for student, key in hostile_names.items():
        files[student] = (f"{LAB}.ipynb", json.dumps(_tiny_notebook(HOSTILE[key])).encode())
    nothing = json.dumps(_tiny_notebook("x = 1")).encode()
    files[CP850_NAME] = (f"{LAB}.ipynb", nothing)
    files[FORMULA_NAME] = (f"{LAB}.ipynb", nothing)
    files[BROKEN] = (f"{LAB}.ipynb", BROKEN_MARKER + nothing)
    return files


def write_raw_zip(path: Path, entries: list[tuple[bytes, bytes, bool]]) -> Path:
    """Zip con nombres en bytes crudos, como los de otros compresores: (nombre, contenido,
    marca UTF-8). ``zipfile`` siempre marca como UTF-8 un nombre no ASCII; aquí se escribe un
    nombre ASCII de la misma longitud y se cambian sus bytes en el archivo ya escrito."""
    import zipfile

    placeholders = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        for index, (raw, content, utf8_flag) in enumerate(entries):
            if utf8_flag:  # zipfile pone la marca a todo nombre no ASCII
                bundle.writestr(raw.decode("utf-8"), content)
                continue
            placeholder = f"~{index:04d}".ljust(len(raw), "~").encode()
            assert len(placeholder) == len(raw), "nombre demasiado corto para el marcador"
            bundle.writestr(placeholder.decode(), content)
            placeholders.append((placeholder, raw))
    data = path.read_bytes()
    for placeholder, raw in placeholders:
        assert data.count(placeholder) == 2  # cabecera local y directorio central
        data = data.replace(placeholder, raw)
    path.write_bytes(data)
    return path


def corrupt_member(path: Path, marker: bytes) -> Path:
    """Cambia un byte del contenido (sin comprimir) que empieza por ``marker``: el CRC falla."""
    data = bytearray(path.read_bytes())
    start = data.index(marker)
    assert data.count(marker) == 1
    data[start + len(marker)] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def build_moodle_zip(path: Path) -> Path:
    """Zip como el de Moodle: una carpeta ``Nombre_<id>_assignsubmission_file_`` por entrega,
    con la marca UTF-8 en los nombres, salvo el de ``CP850_NAME`` (cp850 sin marca, como el
    compresor de Windows en español) y con el notebook de ``BROKEN`` dañado (falla su CRC)."""
    entries = []
    for number, (student, (filename, content)) in enumerate(_submissions().items()):
        name = f"{student}_{10001 + number}_assignsubmission_file_/{filename}"
        if student == CP850_NAME:
            entries.append((name.encode("cp850"), content, False))
        else:
            entries.append((name.encode("utf-8"), content, not name.isascii()))
    return corrupt_member(write_raw_zip(path, entries), BROKEN_MARKER)
