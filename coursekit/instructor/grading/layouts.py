"""Encontrar las entregas de una clase y decidir de qué lab es cada notebook.

Formatos aceptados (los que dan los LMS):

- carpeta o zip plano con ``.ipynb`` (el nombre del archivo identifica al estudiante);
- zip de Moodle («Descargar todas las entregas»): una carpeta por estudiante,
  ``Nombre Apellido_12345_assignsubmission_file_/02_trainer.ipynb``;
- zip de Canvas: ``apellidonombre_12345_678_02_trainer.ipynb`` (o con ``_LATE_``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coursekit.errors import CourseError, MissingPathError

# Límites al descomprimir: un zip de entregas no debería acercarse a esto.
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_BYTES = 2 * 1024**3
MAX_NOTEBOOK_BYTES = 50 * 1024**2

_MOODLE_RE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_\w+_?$")
_CANVAS_RE = re.compile(
    r"^(?P<name>[a-z0-9]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<rest>.+)$"
)
_LAB_HEADING_RE = re.compile(r"^#\s*Lab\s+(?P<lab>\d{2})\b", re.MULTILINE)
_CHECK_ID_RE = re.compile(r"""check\(\s*["'](?P<lab>\d{2})-[\w-]+["']""")
_TODO_ID_RE = re.compile(r"""todo\(\s*["'](?P<lab>\d{2})-[\w-]+["']""")


@dataclass(frozen=True)
class Submission:
    """Una entrega: quién la hizo y qué archivo entregó (``path`` puede faltar)."""

    student_id: str
    name: str
    path: Path | None
    original_name: str
    layout: str  # "plano", "moodle" o "canvas"
    late: bool = False  # Canvas marcó el archivo con _LATE_ (ver late.py)


def _slug(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text)
    ascii_text = normalized.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower() or "entrega"


def safe_extract(archive: Path, target: Path) -> Path:
    """Descomprime ``archive`` en ``target`` sin salirse de ella ni pasar de los límites."""
    try:
        bundle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as error:
        raise CourseError(f"{archive} no es un zip válido ({error}).") from None
    with bundle:
        members = [m for m in bundle.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise CourseError(f"El zip tiene {len(members)} archivos (máximo {MAX_ZIP_MEMBERS}).")
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise CourseError("El zip descomprimido ocuparía más de 2 GB: ¿es el zip correcto?")
        for member in members:
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if not parts or parts[0] == "/" or ".." in parts or parts[0].endswith(":"):
                continue  # ruta absoluta o que se sale de la carpeta: se ignora
            if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, destination.open("wb") as sink:
                sink.write(source.read(MAX_NOTEBOOK_BYTES + 1))
    return target


def _single_root(folder: Path) -> Path:
    """Si el zip trae una única carpeta envolvente (sin patrón de Moodle), entra en ella."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not _MOODLE_RE.match(entries[0].name):
        return _single_root(entries[0])
    return folder


def _pick_notebook(files: list[Path], lab: str | None = None) -> Path | None:
    """El notebook de la carpeta; si hay varios, el primero cuyo contenido es del lab ``lab``
    (finalize/review lo marca para revisar a mano)."""
    notebooks = sorted(f for f in files if f.suffix.lower() == ".ipynb")
    if lab and len(notebooks) > 1:
        for notebook in notebooks:
            try:
                if identify_lab(read_notebook_json(notebook)) == lab:
                    return notebook
            except (CourseError, OSError):
                continue
    return notebooks[0] if notebooks else None


def discover(folder: Path, lab: str | None = None) -> list[Submission]:
    """Entregas de ``folder`` (ya descomprimida), ordenadas por identificador."""
    folder = _single_root(folder)
    submissions: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        moodle = _MOODLE_RE.match(entry.name) if entry.is_dir() else None
        if moodle:
            files = [f for f in entry.rglob("*") if f.is_file() and not f.name.startswith(".")]
            notebook = _pick_notebook(files, lab)
            original = notebook.name if notebook else ", ".join(sorted(f.name for f in files))
            submissions.append(
                Submission(moodle["id"], moodle["name"], notebook, original or "(vacía)", "moodle")
            )
        elif entry.is_dir():
            continue  # una carpeta que no es de Moodle: no es una entrega
        elif entry.suffix.lower() == ".ipynb":
            canvas = _CANVAS_RE.match(entry.name)
            if canvas:
                submissions.append(
                    Submission(
                        canvas["id"],
                        canvas["name"],
                        entry,
                        canvas["rest"],
                        "canvas",
                        late=bool(canvas["late"]),
                    )
                )
            else:
                submissions.append(
                    Submission(_slug(entry.stem), entry.stem, entry, entry.name, "plano")
                )
    return _unique_ids(submissions)


def _unique_ids(submissions: list[Submission]) -> list[Submission]:
    """Si dos entregas comparten id (dos notebooks del mismo estudiante), les añade un sufijo."""
    seen: dict[str, int] = {}
    result = []
    for sub in sorted(submissions, key=lambda s: (s.student_id, s.original_name)):
        count = seen.get(sub.student_id, 0)
        seen[sub.student_id] = count + 1
        if count:
            sub = dataclasses.replace(sub, student_id=f"{sub.student_id}-{count + 1}")
        result.append(sub)
    return result


def open_submissions(source: str | Path, workdir: Path, lab: str | None = None) -> list[Submission]:
    """Entregas de una carpeta o de un zip (que se descomprime en ``workdir``)."""
    source = Path(source)
    if not source.exists():
        raise MissingPathError(f"No existe {str(source)!r}: pasa la carpeta o el zip de entregas.")
    if source.is_file():
        if source.suffix.lower() == ".ipynb":
            return [Submission(_slug(source.stem), source.stem, source, source.name, "plano")]
        folder = safe_extract(source, workdir / "zip")
    else:
        folder = source
    submissions = discover(folder, lab)
    if not submissions:
        raise CourseError(
            f"No encontré entregas en {str(source)!r}: espero notebooks .ipynb sueltos o el zip "
            "de Moodle o de Canvas con todas las entregas."
        )
    return submissions


class UnreadableNotebook(CourseError):
    """El archivo entregado no es un notebook legible; el mensaje dice por qué."""


def read_notebook_json(path: Path) -> dict:
    """Lee un notebook como JSON, con errores claros para archivos vacíos o corruptos."""
    size = path.stat().st_size
    if size == 0:
        raise UnreadableNotebook("el archivo está vacío (0 bytes).")
    if size > MAX_NOTEBOOK_BYTES:
        raise UnreadableNotebook(f"el archivo ocupa {size / 1024**2:.0f} MB (máximo 50 MB).")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UnreadableNotebook("no es texto UTF-8: no parece un notebook de Jupyter.") from None
    except json.JSONDecodeError as error:
        raise UnreadableNotebook(
            f"el JSON del notebook está roto (línea {error.lineno}): ¿se cortó al descargarlo?"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise UnreadableNotebook("el JSON no tiene la estructura de un notebook (falta «cells»).")
    return data


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def identify_lab(notebook: dict) -> str | None:
    """El lab («02») de un notebook por su contenido (título y ejercicios), no por su nombre:
    «Copia de 02_trainer.ipynb» sigue siendo del lab 02."""
    votes: dict[str, int] = {}
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict):
            continue
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            for match in _LAB_HEADING_RE.finditer(text):
                votes[match["lab"]] = votes.get(match["lab"], 0) + 3
        for pattern in (_CHECK_ID_RE, _TODO_ID_RE):
            for match in pattern.finditer(text):
                votes[match["lab"]] = votes.get(match["lab"], 0) + 1
    return max(votes, key=votes.get) if votes else None
