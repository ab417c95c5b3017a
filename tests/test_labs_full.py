"""Los siete labs en ``full``, como los ve un estudiante en Colab, contra el Hub sustituto.

Cada lab de ``solutions/`` se ejecuta con ``COURSE_PROFILE=full`` y ``HF_HOME`` en el Hub
sustituto ``tiny`` (``coursekit standin-hub``): el código del lab es exactamente el de Colab
(``from_pretrained("google-bert/bert-base-cased")``, ``load_dataset("Yelp/yelp_review_full")``,
KerasHub con ``hf://``). Solo se encoge lo que un estudiante también puede encoger, con las
variables de :data:`FULL_OVERRIDES`; las épocas y ``max_length`` son las de ``full``.

Después se lee cada copia ejecutada: ni sus salidas ni su prosa pueden decir lo que solo vale
en ``quick`` (dos clases, MiniLM, Rotten Tomatoes, 200 reseñas, una exactitud de ``quick``
citada como la del estudiante).

Con ``pytest -n 2 --dist loadfile`` (scripts/test.sh) cada lab es su propia unidad de trabajo
(``pytest_xdist_make_scheduler`` en conftest.py): los siete se reparten entre los procesos en lugar
de ejecutarse en fila en uno solo. Las dos pruebas de un lab comparten unidad: la segunda lee la
copia que guardó la primera.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from coursekit.maintainer.lab_runner import execute_lab, kernel_environment
from coursekit.maintainer.standin_hub import standin_environment

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "solutions").glob("*.ipynb"))
#: Lo que se encoge, con las variables de «Usa tus propios datos» (las de un estudiante).
FULL_OVERRIDES = {"COURSE_TRAIN_SIZE": "20", "COURSE_EVAL_SIZE": "20"}
#: Carpeta opcional donde guardar las copias ejecutadas (para leerlas después de CI).
EXECUTED_DIR_VAR = "COURSE_FULL_EXECUTED_DIR"

#: Lo que solo es cierto en ``quick``/``ci`` (MiniLM, reseñas de cine de dos clases).
QUICK_ONLY = {
    # «al menos dos clases» y «más de dos clases» valen en cualquier perfil.
    "dos clases": r"(?<!al menos )(?<!más de )\b(?:dos|2) clases\b|\btwo classes\b",
    "MiniLM": r"MiniLM",
    "Rotten Tomatoes": r"Rotten Tomatoes",
    "200 reseñas": r"\b200 (?:reseñas|ejemplos)\b",
    "negativa/positiva": r"\b(?:negativa|positiva)\b",
}
#: Una exactitud (0.xx o xx %) junto a las palabras con que se cita un resultado.
QUOTED_ACCURACY = re.compile(
    r"(?:exactitud|accuracy|F1|línea base)[^.\n]{0,80}?(?<![\d.])"
    r"(?:0[.,]\d{2,3}|\d{2}(?:[.,]\d)? ?%)",
    re.IGNORECASE,
)
#: Un párrafo que dice de qué perfil o modelo habla (o que pone MiniLM como ejemplo, o lo compara
#: con BERT) puede nombrarlo o citar cifras de ``quick``.
LABELLED = re.compile(
    r"`(?:quick|ci|full)`|perfil (?:quick|ci)\b|medid[oa]s? en|bert-base|\bBERT\b|Yelp|sin GPU"
    r"|\bCPU\b|como MiniLM",
    re.IGNORECASE,
)


#: Hallazgos conocidos de la prueba de prosa, aún sin arreglar en el lab: ``xfail`` estricto,
#: así que pasa a ser un fallo en cuanto el lab se arregle y hay que quitar la entrada. Vacío:
#: el veredicto del lab 07 («±3.5 puntos de 200 reseñas», las de quick) ya se calcula.
KNOWN_PROSE_FINDINGS: dict[str, str] = {}


def _lab_params(known_findings: dict[str, str] | None = None):
    params = []
    for lab in LABS:
        marks = []
        if lab.stem in (known_findings or {}):
            marks.append(pytest.mark.xfail(strict=True, reason=known_findings[lab.stem]))
        params.append(pytest.param(lab, id=lab.stem, marks=marks))
    return params


def output_texts(notebook) -> list[tuple[int, str]]:
    """``(celda, texto)`` de lo que imprimió cada celda de código (sin las barras de progreso
    de stderr ni el HTML: el texto plano o Markdown que ve el estudiante)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        # El cuestionario final plantea casos hipotéticos («un dataset con dos clases»), no
        # describe la ejecución del estudiante.
        if cell.cell_type != "code" or "quiz.show(" in cell.source:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                found.append((index, output.get("text", "")))
            elif output.get("output_type") == "error":
                found.append((index, f"{output.get('ename')}: {output.get('evalue')}"))
            else:
                data = output.get("data", {})
                for kind in ("text/markdown", "text/plain"):
                    if kind in data:
                        found.append((index, str(data[kind])))
                        break
    return found


def quick_only_findings(notebook) -> list[str]:
    """Lo que un estudiante de ``full`` leería como suyo y solo vale en ``quick``: cualquier
    término de :data:`QUICK_ONLY` en las salidas, y en la prosa los párrafos que lo nombran (o
    citan una exactitud) sin decir de qué perfil o modelo hablan."""
    findings = []
    for index, text in output_texts(notebook):
        for what, pattern in QUICK_ONLY.items():
            for match in re.finditer(pattern, text):
                findings.append(f"salida de la celda {index}: {what} «{match.group(0)}»")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n", cell.source):
            if LABELLED.search(paragraph):
                continue
            hits = [
                w
                for w, p in QUICK_ONLY.items()
                if w != "negativa/positiva" and re.search(p, paragraph)
            ]
            if QUOTED_ACCURACY.search(paragraph):
                hits.append("una exactitud citada")
            for what in hits:
                findings.append(f"prosa de la celda {index}: {what}: «{paragraph.strip()[:160]}»")
    return findings


@pytest.fixture(scope="session")
def executed_dir(tmp_path_factory) -> Path:
    """Donde se guardan las copias ejecutadas en ``full`` (las dos pruebas de un lab van al mismo
    proceso de xdist)."""
    chosen = os.environ.get(EXECUTED_DIR_VAR)
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("full-labs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("lab", _lab_params())
def test_lab_runs_in_full_against_the_standin_hub(lab, standin_hub_home, executed_dir):
    env = standin_environment(standin_hub_home, kernel_environment("full"))
    env.update(FULL_OVERRIDES)
    run = execute_lab(lab, env, timeout=600)
    nbformat.write(run["notebook"], executed_dir / lab.name)
    assert run["status"] == "ok", f"{lab.name} falla en full: {run['detail']}"


@pytest.mark.slow
@pytest.mark.parametrize("lab", _lab_params(KNOWN_PROSE_FINDINGS))
def test_full_run_says_nothing_that_only_holds_in_quick(lab, executed_dir):
    path = executed_dir / lab.name
    if not path.is_file():
        pytest.fail(f"{lab.name} no se ejecutó en full (mira la prueba anterior)")
    assert quick_only_findings(nbformat.read(path, as_version=4)) == []


def test_findings_catch_quick_only_text():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    notebook = new_notebook(
        cells=[
            new_markdown_cell("El modelo separa las dos clases.\n\nTu exactitud: 0.765."),
            new_markdown_cell("Medido en el perfil `quick` (MiniLM, 200 reseñas): 0.635."),
            new_code_cell(
                "print()",
                outputs=[new_output("stream", name="stdout", text="Rotten Tomatoes: 0.7\n")],
            ),
        ]
    )
    found = quick_only_findings(notebook)
    assert len(found) == 3, found
    assert "dos clases" in found[1] and "exactitud" in found[2] and "Rotten" in found[0]
