"""Encontrar las entregas de una clase y decidir de qué lab es cada notebook.

Formatos aceptados (los que dan los LMS):

- carpeta o zip plano con ``.ipynb`` (el nombre del archivo identifica al estudiante);
- zip de Moodle («Descargar todas las entregas»): una carpeta por estudiante,
  ``Nombre Apellido_12345_assignsubmission_file_/02_trainer.ipynb``;
- zip de Canvas: ``apellidonombre_12345_678_02_trainer.ipynb`` (o con ``_LATE_``).

Nombres dentro del zip: con la marca UTF-8 del zip, UTF-8; sin ella, UTF-8 si sus bytes lo son
(macOS y Linux no ponen la marca) y, si no, la página de códigos OEM de Windows (cp850 en un
sistema en español; ``--zip-encoding`` la cambia o fuerza una para todos los nombres sin marca).

Un archivo del zip que no se puede extraer (dañado, nombre demasiado largo, un archivo y una
carpeta con el mismo nombre) no detiene la clase: su entrega sale con estado y motivo.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from coursekit.errors import CourseError, MissingPathError
from coursekit.notebook_cells import cell_source

# Límites al descomprimir: un zip de entregas no debería acercarse a esto.
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_BYTES = 2 * 1024**3
MAX_NOTEBOOK_BYTES = 50 * 1024**2
# Página de códigos de los nombres sin marca UTF-8 que no son UTF-8: la OEM de Windows en
# español (su compresor integrado la usa). cp437, la del estándar zip, cambia letras como «Á».
DEFAULT_ZIP_ENCODING = "cp850"
UTF8_FLAG = 0x800

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
    problem: str = ""  # por qué no se puede corregir (p. ej. su archivo del zip está dañado)
    late: bool = False  # Canvas marcó el archivo con _LATE_ (ver late.py)


MAX_ID_LENGTH = 80  # el id nombra archivos de salida (retroalimentacion/<id>.md)


def _slug(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text)
    ascii_text = normalized.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_").lower()
    return slug[:MAX_ID_LENGTH].strip("_") or "entrega"


def check_zip_encoding(encoding: str | None) -> str | None:
    """Valida el nombre de la codificación que pide el instructor (``--zip-encoding``)."""
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise CourseError(
            f"--zip-encoding {encoding!r} no es una codificación que conozca Python "
            "(p. ej. utf-8, cp850, cp437, cp1252)."
        ) from None


def member_name(info: zipfile.ZipInfo, encoding: str | None = None) -> str:
    """Nombre de un archivo del zip bien decodificado.

    ``zipfile`` lee como cp437 todo nombre sin la marca UTF-8; se recuperan sus bytes
    (cp437 los conserva todos) y se decodifican con ``encoding`` si el instructor la fuerza;
    si no, como UTF-8 cuando lo son, y como :data:`DEFAULT_ZIP_ENCODING` en otro caso.
    """
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # ya decodificado de otra forma (metadata_encoding): se deja
        return info.filename
    if encoding:
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(DEFAULT_ZIP_ENCODING, errors="replace")


def _extraction_error(error: BaseException) -> str:
    """Motivo en español de que un archivo del zip no se pudiera extraer."""
    text = str(error)
    if isinstance(error, zipfile.BadZipFile) and "CRC" in text:
        return "el archivo está dañado dentro del zip (falla su CRC): vuelve a descargarlo."
    if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)):
        return f"el archivo está dañado dentro del zip ({text[:120]})."
    if isinstance(error, (FileExistsError, NotADirectoryError, IsADirectoryError)):
        return "el zip trae un archivo y una carpeta con el mismo nombre: no se pudo extraer."
    if isinstance(error, OSError) and error.errno == 36:  # ENAMETOOLONG
        return "el nombre del archivo es demasiado largo para extraerlo."
    if isinstance(error, (NotImplementedError, RuntimeError)):
        return f"el archivo del zip está cifrado o usa una compresión no admitida ({text[:120]})."
    return f"no se pudo extraer del zip ({type(error).__name__}: {text[:120]})."


def safe_extract(
    archive: Path, target: Path, encoding: str | None = None, failures: dict | None = None
) -> Path:
    """Descomprime ``archive`` en ``target`` sin salirse de ella ni pasar de los límites.

    Un archivo que no se puede extraer no detiene el resto: si se pasa ``failures``, se anota
    en él (ruta dentro del zip → motivo en español)."""
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
            name = member_name(member, encoding).replace("\\", "/")
            parts = PurePosixPath(name).parts
            if not parts or parts[0] == "/" or ".." in parts or parts[0].endswith(":"):
                continue  # ruta absoluta o que se sale de la carpeta: se ignora
            if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
                continue
            destination = target.joinpath(*parts)
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source:
                    content = source.read(MAX_NOTEBOOK_BYTES + 1)
                destination.write_bytes(content)
            except Exception as error:  # un archivo roto no detiene la clase
                try:  # lo que se llegó a escribir de él
                    destination.unlink(missing_ok=True)
                except OSError:
                    pass
                if failures is not None:
                    failures["/".join(parts)] = _extraction_error(error)
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


def _failed_under(folder: Path, root: Path, failures: dict | None) -> dict[tuple, str]:
    """Los archivos que no se pudieron extraer, con su ruta relativa a ``root``."""
    prefix = root.relative_to(folder).parts
    failed = {}
    for name, reason in (failures or {}).items():
        parts = tuple(name.split("/"))
        if parts[: len(prefix)] == prefix and len(parts) > len(prefix):
            failed[parts[len(prefix) :]] = reason
    return failed


def _first_problem(failed: list[tuple[tuple, str]]) -> tuple[str, str]:
    """(archivo, motivo) del fallo que más importa: el de un notebook, si lo hay."""
    failed = sorted(failed, key=lambda item: (not item[0][-1].lower().endswith(".ipynb"), item))
    parts, reason = failed[0]
    return parts[-1], reason


def _flat_submission(filename: str, path: Path | None, problem: str = "") -> Submission:
    stem = filename[: -len(".ipynb")] if filename.lower().endswith(".ipynb") else filename
    canvas = _CANVAS_RE.match(filename)
    if canvas:
        return Submission(
            canvas["id"],
            canvas["name"],
            path,
            canvas["rest"],
            "canvas",
            problem,
            late=bool(canvas["late"]),
        )
    return Submission(_slug(stem), stem, path, filename, "plano", problem)


def discover(
    folder: Path, failures: dict | None = None, lab: str | None = None
) -> list[Submission]:
    """Entregas de ``folder`` (ya descomprimida), ordenadas por identificador.

    ``failures`` (de :func:`safe_extract`): los archivos del zip que no se pudieron extraer; la
    entrega a la que pertenecen sale igualmente, sin notebook y con el motivo en ``problem``.
    ``lab``: con varios notebooks en una carpeta, se elige el de ese lab."""
    root = _single_root(folder) if folder.is_dir() else folder
    failed = _failed_under(folder, root, failures)
    submissions: list[Submission] = []
    seen: set[str] = set()
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        seen.add(entry.name)
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        moodle = _MOODLE_RE.match(entry.name) if entry.is_dir() else None
        if moodle:
            files = [f for f in entry.rglob("*") if f.is_file() and not f.name.startswith(".")]
            notebook = _pick_notebook(files, lab)
            original = notebook.name if notebook else ", ".join(sorted(f.name for f in files))
            problem = ""
            broken = [(p, r) for p, r in failed.items() if p[0] == entry.name]
            if notebook is None and broken:
                original, problem = _first_problem(broken)
            submissions.append(
                Submission(
                    moodle["id"], moodle["name"], notebook, original or "(vacía)", "moodle", problem
                )
            )
        elif entry.is_dir():
            continue  # una carpeta que no es de Moodle: no es una entrega
        elif entry.suffix.lower() == ".ipynb":
            submissions.append(_flat_submission(entry.name, entry))
    # Entregas que no llegaron al disco (su carpeta o su notebook no se pudo extraer).
    missing: dict[str, list[tuple[tuple, str]]] = {}
    for parts, reason in failed.items():
        if parts[0] not in seen:
            missing.setdefault(parts[0], []).append((parts, reason))
    for top, broken in sorted(missing.items()):
        filename, problem = _first_problem(broken)
        moodle = _MOODLE_RE.match(top) if any(len(p) > 1 for p, _ in broken) else None
        if moodle:
            submissions.append(
                Submission(moodle["id"], moodle["name"], None, filename, "moodle", problem)
            )
        elif top.lower().endswith(".ipynb"):
            submissions.append(_flat_submission(top, None, problem))
    return _unique_ids(submissions)


def _unique_ids(submissions: list[Submission]) -> list[Submission]:
    """Si dos entregas comparten id (dos notebooks del mismo estudiante), les añade un sufijo."""
    seen: dict[str, int] = {}
    result = []
    for sub in sorted(submissions, key=lambda s: (s.student_id, s.original_name)):
        count = seen.get(sub.student_id, 0)
        seen[sub.student_id] = count + 1
        if count:
            sub = replace(sub, student_id=f"{sub.student_id}-{count + 1}")
        result.append(sub)
    return result


def open_submissions(
    source: str | Path, workdir: Path, encoding: str | None = None, lab: str | None = None
) -> list[Submission]:
    """Entregas de una carpeta o de un zip (que se descomprime en ``workdir``; ``encoding``:
    la de los nombres sin marca UTF-8, si el instructor la fuerza;
    ``lab``: el lab que se corrige, para elegir su notebook si una carpeta trae varios)."""
    source = Path(source)
    if not source.exists():
        raise MissingPathError(f"No existe {str(source)!r}: pasa la carpeta o el zip de entregas.")
    if source.is_file():
        if source.suffix.lower() == ".ipynb":
            return [Submission(_slug(source.stem), source.stem, source, source.name, "plano")]
        failures: dict[str, str] = {}
        folder = workdir / "zip"
        folder.mkdir(parents=True, exist_ok=True)
        safe_extract(source, folder, check_zip_encoding(encoding), failures)
    else:
        folder, failures = source, {}
    submissions = discover(folder, failures, lab)
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


def identify_lab(notebook: dict) -> str | None:
    """El lab («02») de un notebook por su contenido (título y ejercicios), no por su nombre:
    «Copia de 02_trainer.ipynb» sigue siendo del lab 02."""
    votes: dict[str, int] = {}
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict):
            continue
        text = cell_source(cell)
        if cell.get("cell_type") == "markdown":
            for match in _LAB_HEADING_RE.finditer(text):
                votes[match["lab"]] = votes.get(match["lab"], 0) + 3
        for pattern in (_CHECK_ID_RE, _TODO_ID_RE):
            for match in pattern.finditer(text):
                votes[match["lab"]] = votes.get(match["lab"], 0) + 1
    return max(votes, key=votes.get) if votes else None
