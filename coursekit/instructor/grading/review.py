"""«Revisar a mano»: entregas cuya nota automática no debe darse por buena sin mirarlas.

Un cero silencioso esconde casos que necesitan a una persona: el kernel murió, se acabó el
tiempo, el notebook no es del lab, no hay notebook, hay varios notebooks en la carpeta, o un
ejercicio está escrito (ya no tiene su ``todo(...)``) pero la prueba no encuentra su función
o variable (¿la renombró?). Este módulo solo lee lo que dejó la corrección (``notas.csv``,
``ejecutados/`` y la retroalimentación) y, si se le da, el zip o la carpeta de entregas.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

# Estados de la ejecución que siempre piden una persona (los escribe execution.py).
REVIEW_STATUSES = {
    "kernel muerto": "el kernel murió a mitad: lo que venía después no se ejecutó",
    "tiempo agotado": "no terminó a tiempo",
    "otro lab": "el notebook no parece de este lab",
    "sin notebook": "no hay ningún .ipynb en la entrega",
    "ilegible": "el notebook no se pudo leer",
    "vacía": "el archivo está vacío",
    "error de ejecución": "la ejecución terminó sin resultado",
    "error del corrector": "falló el corrector",
    "salida excesiva": "produjo demasiada salida",
}
MISSING_NAME_HINT = "su variable o función no existe"
_MOODLE_DIR_RE = re.compile(r"^.+?_(?P<id>\d+)_assign(?:submission|feedback)_\w+_?$")


def notebooks_per_student(source: str | Path) -> dict[str, int]:
    """Cuántos ``.ipynb`` entregó cada estudiante de Moodle (carpeta por estudiante), en un zip
    o en una carpeta ya descomprimida."""
    counts: dict[str, int] = defaultdict(int)
    source = Path(source)
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as bundle:
            names = [m.filename for m in bundle.infolist() if not m.is_dir()]
    elif source.is_dir():
        names = [str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()]
    else:
        return {}
    for name in names:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if not parts or not parts[-1].lower().endswith(".ipynb") or parts[-1].startswith("."):
            continue
        for part in parts[:-1]:
            match = _MOODLE_DIR_RE.match(part)
            if match:
                counts[match["id"]] += 1
                break
    return dict(counts)


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def written_exercises(notebook: dict) -> set[str] | None:
    """Ejercicios cuya marca ``todo("id")`` ya no está (el estudiante escribió algo); ``None``
    si no se puede saber."""
    if not isinstance(notebook, dict):
        return None
    text = "\n".join(_cell_text(c) for c in notebook.get("cells", []) if isinstance(c, dict))
    return set(re.findall(r"ejercicio (\d{2}-[\w-]+)\)", text)) - set(
        re.findall(r"""todo\(\s*["'](\d{2}-[\w-]+)["']""", text)
    )


def review_reasons(
    status: str,
    reason: str,
    feedback: str = "",
    notebook: dict | None = None,
    notebooks_in_folder: int = 1,
) -> list[str]:
    """Motivos (en español) para revisar a mano una entrega; lista vacía si no hace falta."""
    reasons = []
    if status in REVIEW_STATUSES:
        reasons.append(REVIEW_STATUSES[status])
    elif "superó el tiempo" in reason or "se acabó el tiempo" in reason:
        reasons.append("alguna celda no terminó a tiempo")
    if notebooks_in_folder > 1:
        reasons.append(
            f"entregó {notebooks_in_folder} notebooks: se corrigió uno; comprueba que sea el bueno"
        )
    if feedback and MISSING_NAME_HINT in feedback:
        written = written_exercises(notebook) if notebook is not None else None
        missing = re.findall(r"^## ❌ (\d{2}-[\w-]+):", feedback, flags=re.MULTILINE)
        renamed = [
            exercise
            for exercise in missing
            if written and exercise in written and _missing_name(feedback, exercise)
        ]
        if renamed:
            reasons.append(
                "escribió " + ", ".join(renamed) + " pero la prueba no encuentra su función o "
                "variable (¿la renombró?)"
            )
    return reasons


def _missing_name(feedback: str, exercise: str) -> bool:
    section = feedback.split(f"## ❌ {exercise}:", 1)[1].split("\n## ", 1)[0]
    return MISSING_NAME_HINT in section


def load_executed(out_dir: Path, student_id: str) -> dict | None:
    """El notebook ejecutado que guardó la corrección, si existe."""
    path = out_dir / "ejecutados" / f"{student_id}.ipynb"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


__all__ = ["REVIEW_STATUSES", "notebooks_per_student", "review_reasons", "written_exercises"]
