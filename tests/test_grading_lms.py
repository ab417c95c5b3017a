"""Archivos para el LMS: se construyen desde unas pocas notas y se leen con las reglas de los
importadores de Moodle y Canvas (código citado en docs/decisions.md)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading import lms
from coursekit.instructor.grading.spreadsheet import safe_row

RECORDS = [
    lms.LmsRecord("1234", "Ana Pérez", 3.5, 5, "# Lab 02\nNota: 3,5 de 5\n- ❌ F1 macro: <revisa>"),
    lms.LmsRecord("87", "Luis_de la Cruz", 5, 5, "Todo bien"),
    lms.LmsRecord("juan_perez", "juan_perez", 1, 5, "sin id del LMS"),
    lms.LmsRecord("99", '=HYPERLINK("x")', 0, 5, "=1+1"),
]
NOW = datetime(2026, 12, 6, 10, 30)


def _moodle_import(text: str, language: str) -> dict[str, tuple[str, str]]:
    """Lo que haría assignfeedback_offline: localizar las tres columnas obligatorias por su
    texto, quitar al identificador la longitud de «Participante »/«Participant » y leer
    calificación y comentarios (mod/assign/feedback/offline/importgradeslib.php)."""
    names = lms.MOODLE_HEADERS[language]
    rows = list(csv.reader(io.StringIO(text)))  # Moodle lee el CSV con comas y UTF-8
    header = rows[0]
    index = {key: header.index(names[key]) for key in ("id", "grade", "modified_grade")}
    comments = header.index(names["comments"])
    found = {}
    for row in rows[1:]:
        participant = row[index["id"]][len(names["participant"]) :]
        assert participant.isdigit(), row[index["id"]]
        assert datetime.strptime(row[index["modified_grade"]], "%Y-%m-%d %H:%M:%S")
        found[participant] = (row[index["grade"]], row[comments])
    return found


@pytest.mark.parametrize("language", ["es", "en"])
def test_moodle_worksheet_follows_the_importer(tmp_path, language):
    path = tmp_path / "hoja.csv"
    left = lms.moodle_worksheet(RECORDS, path, language=language, now=NOW)
    assert left == ["juan_perez"]  # sin número de participante: no puede ir en la hoja
    text = path.read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff")
    header = next(csv.reader(io.StringIO(text)))
    assert header[0] == lms.MOODLE_HEADERS[language]["id"]
    found = _moodle_import(text, language)
    assert set(found) == {"1234", "87", "99"}
    assert found["1234"][0] == "3.5"  # punto decimal: unformat_float lo acepta siempre
    assert "&lt;revisa&gt;" in found["1234"][1] and "<br>" in found["1234"][1]


def test_moodle_worksheet_scales_and_guards_formulas(tmp_path):
    path = tmp_path / "hoja.csv"
    lms.moodle_worksheet(RECORDS, path, scale_to=10, now=NOW)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["Participante 1234"][4] == "7"
    assert by_id["Participante 1234"][5] == "10"
    assert by_id["Participante 99"][1].startswith("'=")  # el nombre no llega como fórmula


def test_moodle_worksheet_fills_the_downloaded_one(tmp_path):
    template = tmp_path / "descargada.csv"
    header = list(lms.MOODLE_HEADERS["en"].values())
    header.remove("Participant ")
    downloaded = [
        header,
        ["Participant 1234", "Ana Pérez", "ana@x.es", "Submitted", "", "5.00", "Yes", "x", "-", ""],
        ["Participant 555", "Otra", "o@x.es", "No submission", "", "5.00", "Yes", "-", "-", ""],
    ]
    template.write_text(
        "\ufeff" + "".join(",".join(r) + "\r\n" for r in downloaded), encoding="utf-8"
    )
    out = tmp_path / "hoja.csv"
    left = lms.moodle_worksheet(RECORDS, out, template=template, now=NOW)
    assert left == ["juan_perez", "87", "99"]  # no están en la hoja descargada
    rows = list(csv.reader(out.open(encoding="utf-8")))
    # Lo demás no cambia (salvo el apóstrofo de safe_cell delante de un «-» suelto).
    assert rows[0] == header and rows[2] == safe_row(downloaded[2])
    assert rows[1][4] == "3.5" and rows[1][8] == "2026-12-06 10:30:00"
    assert rows[1][2] == "ana@x.es"


def test_moodle_template_without_required_columns_is_refused(tmp_path):
    template = tmp_path / "libro.csv"
    template.write_text("Nombre,Apellido,Nota\nAna,Pérez,3\n", encoding="utf-8")
    with pytest.raises(CourseError, match="hoja de calificaciones"):
        lms.moodle_worksheet(RECORDS, tmp_path / "x.csv", template=template)


def test_moodle_feedback_zip_follows_the_importer(tmp_path):
    path = tmp_path / "retro.zip"
    skipped = lms.moodle_feedback_zip(RECORDS, path)
    assert skipped == ["juan_perez"]
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        contents = {name: bundle.read(name).decode("utf-8") for name in names}
    found = {}
    for name in names:
        folder, filename = name.split("/")
        # assignfeedback_file/importziplib.php: explode('_', carpeta, 5) → nombre, id, tipo,
        # complemento y resto; el id es numérico y el complemento existe.
        info = folder.split("_", 4)
        assert len(info) >= 4 and info[1].isdigit()
        assert (info[2], info[3]) == ("assignfeedback", "file")
        found[info[1]] = contents[name]
        assert filename == lms.FEEDBACK_FILE_NAME
    assert set(found) == {"1234", "87", "99"}
    assert found["87"] == "Todo bien"
    assert "Luis de la Cruz_87_assignfeedback_file_/retroalimentacion.txt" in names


def test_canvas_gradebook_csv_follows_the_export(tmp_path):
    path = tmp_path / "canvas.csv"
    skipped = lms.canvas_gradebook_csv(RECORDS, path, "Lab 02", "678")
    assert skipped == ["juan_perez"]
    rows = list(csv.reader(path.open(encoding="utf-8")))
    # Como gradebook_to_csv de Canvas: columnas fijas, «Título (id)» y «Points Possible».
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 02 (678)"]
    assert rows[1][0] == "    Points Possible" and rows[1][5] == "5"
    assert re.fullmatch(r".+ \(\d+\)", rows[0][5])
    by_id = {row[1]: row for row in rows[2:]}
    assert by_id["1234"][5] == "3.5" and by_id["87"][5] == "5"
    assert by_id["99"][0].startswith("'=")


def test_canvas_scale(tmp_path):
    path = tmp_path / "canvas.csv"
    lms.canvas_gradebook_csv(RECORDS[:1], path, "Lab 02", points_possible=100)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][5] == "Lab 02" and rows[1][5] == "100" and rows[2][5] == "70"


def test_participant_number():
    assert lms.participant_number("Participante 1234") == "1234"
    assert lms.participant_number("Participant1234") == "1234"
    assert lms.participant_number("Ana") is None
