"""«Revisar a mano»: los casos que un cero silencioso escondería, y el notebook bueno cuando
hay varios en la carpeta."""

from __future__ import annotations

import json
import zipfile

from coursekit.instructor.grading.layouts import discover
from coursekit.instructor.grading.review import (
    notebooks_per_student,
    review_reasons,
    written_exercises,
)

RENAMED_FEEDBACK = (
    "## ❌ 02-compute-metrics: 0 de 2\n\n"
    "- ❌ exactitud: el ejercicio está sin resolver (su variable o función no existe).\n\n"
    "## ✅ 02-tasa-de-aprendizaje: 3 de 3\n"
)


def _notebook(code: str, title: str = "# Lab 02 · Trainer") -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "source": title, "metadata": {}},
            {"cell_type": "code", "source": code, "metadata": {}, "outputs": []},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_states_that_need_a_person():
    assert review_reasons("kernel muerto", "") == [
        "el kernel murió a mitad: lo que venía después no se ejecutó"
    ]
    assert review_reasons("tiempo agotado", "")
    assert review_reasons("otro lab", "")
    assert review_reasons("corregida", "1 celda superó el tiempo por celda (¿un bucle infinito?)")
    assert review_reasons("corregida", "") == []
    assert "2 notebooks" in review_reasons("corregida", "", notebooks_in_folder=2)[0]


def test_renamed_function_is_flagged_only_when_the_exercise_was_written():
    written = _notebook(
        "def metricas(eval_pred):\n    # ✏️ TU CÓDIGO AQUÍ (ejercicio 02-compute-metrics): ...\n"
        "    return {}\n"
    )
    untouched = _notebook(
        "# ✏️ TU CÓDIGO AQUÍ (ejercicio 02-compute-metrics): sustituye la línea todo(...)\n"
        'from coursekit.exercises import todo; todo("02-compute-metrics")\n'
    )
    assert written_exercises(written) == {"02-compute-metrics"}
    assert written_exercises(untouched) == set()
    flagged = review_reasons("corregida", "", RENAMED_FEEDBACK, written)
    assert flagged and "02-compute-metrics" in flagged[0] and "renombró" in flagged[0]
    assert review_reasons("corregida", "", RENAMED_FEEDBACK, untouched) == []


def test_notebooks_per_student_in_a_moodle_zip(tmp_path):
    archive = tmp_path / "entregas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Ana_1_assignsubmission_file_/a.ipynb", "{}")
        bundle.writestr("Ana_1_assignsubmission_file_/b.ipynb", "{}")
        bundle.writestr("Ana_1_assignsubmission_file_/notas.txt", "")
        bundle.writestr("Luis_2_assignsubmission_file_/02.ipynb", "{}")
    assert notebooks_per_student(archive) == {"1": 2, "2": 1}


def test_the_notebook_of_the_lab_is_picked_among_several(tmp_path):
    folder = tmp_path / "Ana_1_assignsubmission_file_"
    folder.mkdir()
    (folder / "a_borrador.ipynb").write_text(json.dumps(_notebook("x=1", "# Lab 01")), "utf-8")
    (folder / "b_final.ipynb").write_text(json.dumps(_notebook("x=2")), "utf-8")
    assert discover(tmp_path, lab="02")[0].path.name == "b_final.ipynb"
    assert discover(tmp_path)[0].path.name == "a_borrador.ipynb"  # sin lab: el primero
