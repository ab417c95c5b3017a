"""La tabla de referencia con varias semillas del lab 07: tu ejecución frente a la dispersión.

Una sola ejecución no dice cuánto se movería la exactitud con otra semilla (otro inicio de la
cabeza, otro orden de los lotes, otro dropout). ``coursekit bench methods --seeds N`` entrena
cada método del lab 07 con N semillas sobre los mismos datos; el resultado se guarda en el
paquete (``coursekit/reference_data/methods_<perfil>.json``, con fecha, máquina, comando,
versiones y el valor de cada semilla) y :func:`compare_with_reference` lo pone junto a la tabla
del estudiante: media ± desviación típica y mínimo–máximo, calculados aquí a partir de las
semillas guardadas, y una frase por método que dice si su exactitud cae dentro de ese rango.

Solo hay referencia para los perfiles medidos (hoy, ``quick``); con otro perfil, con tus datos
o con un perfil cambiado, :func:`compare_with_reference` lo dice en una frase y no compara.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from coursekit.errors import CourseError

#: Carpeta del paquete con las referencias (``methods_<perfil>.json``).
REFERENCE_FOLDER = "reference_data"
#: Ajustes del perfil que fijan lo que mide la referencia: si el tuyo cambia alguno, no se
#: compara (otros datos, otro modelo, otras épocas... darían otras exactitudes).
REFERENCE_SETTINGS = (
    "model_name",
    "dataset_name",
    "row_filter",
    "train_size",
    "eval_size",
    "seed",
    "peft_num_epochs",
    "batch_size",
    "max_length",
    "learning_rate",
    "lora_learning_rate",
    "prompt_learning_rate",
    "prompt_init_text",
)
#: Clave de la exactitud de validación en cada semilla guardada.
VALIDATION_ACCURACY = "exactitud"
#: Tolerancia al comparar con los extremos del rango (la misma exactitud calculada en otra
#: máquina puede diferir en el último bit).
EDGE_TOLERANCE = 1e-9


def reference_path(profile_name: str):
    """Ruta (``importlib.resources``) del archivo de referencia de ``profile_name``."""
    return resources.files("coursekit") / REFERENCE_FOLDER / f"methods_{profile_name}.json"


def profile_settings(profile: Any) -> dict[str, Any]:
    """Los ajustes de ``REFERENCE_SETTINGS`` de un perfil, listos para JSON."""
    settings = {}
    for name in REFERENCE_SETTINGS:
        value = getattr(profile, name)
        settings[name] = dict(value) if isinstance(value, Mapping) else value
    return settings


def load_reference(profile_name: str) -> dict[str, Any] | None:
    """La referencia guardada para ``profile_name``, o ``None`` si ese perfil no tiene."""
    path = reference_path(profile_name)
    if not path.is_file():
        return None
    reference = json.loads(path.read_text(encoding="utf-8"))
    for key in ("perfil", "comando", "fecha", "máquina", "ajustes_del_perfil", "métodos"):
        if key not in reference:
            raise CourseError(f"La referencia {path} está incompleta: le falta {key!r}.")
    return reference


@dataclass
class SeedSpread:
    """La dispersión de la exactitud de validación de un método sobre las semillas guardadas."""

    seeds: list[int]
    values: list[float]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)

    @property
    def std(self) -> float | None:
        """Desviación típica muestral; ``None`` con una sola semilla."""
        return statistics.stdev(self.values) if len(self.values) > 1 else None

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def mean_text(self) -> str:
        return f"{self.mean:.3f}" if self.std is None else f"{self.mean:.3f} ± {self.std:.3f}"

    def range_text(self) -> str:
        return f"{self.low:.3f}–{self.high:.3f}"

    def contains(self, accuracy: float) -> bool:
        """``True`` si ``accuracy`` cae entre el mínimo y el máximo de las semillas."""
        return self.low - EDGE_TOLERANCE <= accuracy <= self.high + EDGE_TOLERANCE


def seed_spreads(reference: Mapping[str, Any]) -> dict[str, SeedSpread]:
    """Por método (en el orden guardado), la dispersión de la exactitud de validación."""
    spreads = {}
    for method in reference["métodos"]:
        runs = method["por_semilla"]
        if not runs:
            raise CourseError(f"La referencia de «{method['método']}» no tiene semillas.")
        spreads[method["método"]] = SeedSpread(
            seeds=[int(run["semilla"]) for run in runs],
            values=[float(run[VALIDATION_ACCURACY]) for run in runs],
        )
    return spreads


def verdict(name: str, accuracy: float, spread: SeedSpread) -> str:
    """La frase de un método: si tu exactitud cae dentro del rango de las semillas."""
    n = len(spread.values)
    where = f"las {n} semillas de referencia ({spread.range_text()})"
    gap = 100 * (accuracy - spread.mean)
    if spread.contains(accuracy):
        return (
            f"«{name}»: tu {accuracy:.3f} cae dentro del rango de {where}: la diferencia con "
            f"su media ({gap:+.1f} puntos) es la que da cambiar de semilla."
        )
    side, edge = ("por encima del máximo", spread.high)
    if accuracy < spread.low:
        side, edge = ("por debajo del mínimo", spread.low)
    return (
        f"«{name}»: tu {accuracy:.3f} queda fuera del rango de {where}, "
        f"{abs(100 * (accuracy - edge)):.1f} puntos {side}: con tan pocas semillas el rango es "
        "estrecho, pero si tu perfil y tus bibliotecas son los de la referencia, mira qué cambió "
        "en tu ejecución."
    )


@dataclass
class ReferenceComparison:
    """Lo que muestra el lab 07: una frase sobre la referencia (o sobre por qué no hay), la
    tabla «tu ejecución frente a la referencia» y una frase por método."""

    note: str
    table: Any = None  # pandas.DataFrame, o None si no hay referencia comparable
    verdicts: list[str] = field(default_factory=list)


def _mismatches(profile: Any, reference: Mapping[str, Any]) -> list[str]:
    stored = reference["ajustes_del_perfil"]
    current = profile_settings(profile)
    return [
        f"{name} ({stored.get(name)!r} → {current[name]!r})"
        for name in REFERENCE_SETTINGS
        if stored.get(name) != current[name]
    ]


def describe_reference(reference: Mapping[str, Any]) -> str:
    """Una frase: qué es la referencia (perfil, semillas, fecha, máquina y comando)."""
    seeds = sorted({seed for s in seed_spreads(reference).values() for seed in s.seeds})
    return (
        f"Referencia: perfil «{reference['perfil']}», {len(seeds)} semillas "
        f"({', '.join(map(str, seeds))}), medida el {reference['fecha']} en "
        f"{reference['máquina']} con «{reference['comando']}»."
    )


def compare_with_reference(
    accuracies: Mapping[str, float], profile: Any, reference: Mapping[str, Any] | None = None
) -> ReferenceComparison:
    """Tu exactitud de validación por método (``accuracies``, p. ej. ``results["exactitud"]``)
    junto a la referencia de varias semillas del perfil.

    ``reference`` sustituye a la guardada en el paquete (las pruebas la usan). Sin referencia
    para el perfil, con datos propios o con un perfil que cambia algún ajuste de
    ``REFERENCE_SETTINGS``, devuelve solo ``note`` (una frase que lo explica) y no falla.
    """
    import pandas as pd

    if profile.uses_own_data:
        return ReferenceComparison(
            "Con tus propios datos no hay tabla de referencia con varias semillas: la que trae "
            "el curso se midió con los datos del perfil quick (otros textos, otras clases), así "
            "que juzga tus diferencias con el margen de ruido de la sección 4."
        )
    if reference is None:
        reference = load_reference(profile.name)
    if reference is None:
        return ReferenceComparison(
            f"El perfil «{profile.name}» no tiene tabla de referencia con varias semillas (el "
            "curso la trae medida para quick), así que aquí no hay con qué comparar: juzga tus "
            "diferencias con el margen de ruido de la sección 4."
        )
    if reference["perfil"] != profile.name or (changed := _mismatches(profile, reference)):
        what = (
            f"se midió con el perfil «{reference['perfil']}» y tú usas «{profile.name}»"
            if reference["perfil"] != profile.name
            else f"se midió con el perfil «{reference['perfil']}» tal cual y el tuyo cambia "
            + ", ".join(changed)
        )
        return ReferenceComparison(
            f"La tabla de referencia con varias semillas {what}: tus números no son comparables "
            "con ella, así que no se muestra."
        )
    spreads = seed_spreads(reference)
    rows, verdicts = [], []
    for name, accuracy in dict(accuracies).items():
        spread = spreads.get(name)
        mine = float(accuracy)
        if spread is None or math.isnan(mine):
            rows.append(
                {"método": name, "tu exactitud (validación)": mine, "dentro del rango": "—"}
            )
            verdicts.append(f"«{name}»: la referencia no tiene este método.")
            continue
        inside = spread.contains(mine)
        rows.append(
            {
                "método": name,
                "tu exactitud (validación)": mine,
                "referencia: media ± desv.": spread.mean_text(),
                "referencia: mín–máx": spread.range_text(),
                "dentro del rango": "sí" if inside else "no",
            }
        )
        verdicts.append(verdict(name, mine, spread))
    table = pd.DataFrame(rows).set_index("método")
    note = describe_reference(reference)
    if any(profile.seed in spread.seeds for spread in spreads.values()):
        note += (
            f" Tu ejecución usa la semilla {profile.seed}, una de las de la referencia: con las "
            "mismas versiones en una CPU repite sus números, y lo que enseña la tabla es cuánto "
            "se mueve cada método con las otras semillas."
        )
    return ReferenceComparison(note, table, verdicts)
