"""La primera celda de cada lab: instala solo lo que le falta al lab y avisa si hay que reiniciar.

La celda instala el núcleo del curso (``%pip install coursekit @ git+...@vX.Y.Z``) si falta y
después llama a :func:`install_missing`, que añade los extras que el lab necesita:

* ``offline`` (modelo y datos empaquetados) si el perfil no usa el Hub (``quick``, ``ci``);
* ``keras`` (TensorFlow, Keras, KerasHub) en el lab 03.

Instala solo los requisitos que no estén ya satisfechos (en Colab, los paquetes que trae se
quedan como están) y, si una instalación cambió la versión de un módulo ya cargado, pide en
español reiniciar el entorno de ejecución.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata

from coursekit.errors import CourseError

#: Extras de coursekit que necesita cada lab además del núcleo (y de ``offline``, según perfil).
LAB_EXTRAS: dict[str, tuple[str, ...]] = {"03": ("keras",)}


class RestartRequired(CourseError):
    """Una instalación cambió un módulo ya cargado: hay que reiniciar el kernel."""


def required_extras(lab: str, profile=None) -> tuple[str, ...]:
    """Extras de coursekit que necesita el lab ``lab`` (``"01"``...) con ese perfil."""
    from coursekit.profiles import get_profile

    profile = get_profile(profile)
    packaged = any(n.startswith("packaged:") for n in (profile.model_name, profile.dataset_name))
    return (("offline",) if packaged else ()) + LAB_EXTRAS.get(str(lab).zfill(2), ())


def extra_requirements(extras: Iterable[str], requires: list[str] | None = None) -> list[str]:
    """Requisitos (``"keras-hub>=0.26,<1"``...) de los extras pedidos, según los metadatos
    instalados de coursekit (``requires`` existe para poder probarla)."""
    from packaging.requirements import Requirement

    wanted = set(extras)
    requires = metadata.requires("coursekit") if requires is None else requires
    result = []
    for line in requires or []:
        req = Requirement(line)
        if req.marker and any(req.marker.evaluate({"extra": e}) for e in wanted):
            req.marker = None
            result.append(str(req))
    return result


def _installed_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def missing_requirements(
    requirements: Iterable[str], version_of: Callable[[str], str | None] = _installed_version
) -> list[str]:
    """Los requisitos que no están instalados o cuya versión instalada no los cumple."""
    from packaging.requirements import Requirement

    missing = []
    for line in requirements:
        req = Requirement(line)
        version = version_of(req.name)
        if version is None or not req.specifier.contains(version, prereleases=True):
            missing.append(line)
    return missing


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions() -> dict[str, str]:
    """``{paquete normalizado: versión}`` de todo lo instalado en este entorno."""
    return {_normalize(d.metadata["Name"]): d.version for d in metadata.distributions()}


def stale_modules(
    before: Mapping[str, str],
    after: Mapping[str, str],
    modules: Iterable[str] | None = None,
    distributions: Mapping[str, list[str]] | None = None,
) -> list[tuple[str, str, str]]:
    """Paquetes que una instalación cambió y que ya estaban cargados: ``[(paquete, antes, ahora)]``.

    ``before`` y ``after`` son :func:`installed_versions` antes y después de instalar; un módulo
    de primer nivel ya importado (``modules``, por defecto ``sys.modules``) que pertenece a un
    paquete cambiado sigue con la versión vieja en memoria hasta reiniciar el kernel.
    """
    changed = {d: (v, after.get(d, "desinstalado")) for d, v in before.items() if after.get(d) != v}
    if not changed:
        return []
    modules = sys.modules if modules is None else modules
    distributions = metadata.packages_distributions() if distributions is None else distributions
    stale = set()
    for name in modules:
        if "." in name:
            continue
        for dist in map(_normalize, distributions.get(name, [])):
            if dist in changed:
                stale.add((dist, *changed[dist]))
    return sorted(stale)


def _pip_install(requirements: list[str]) -> None:
    """``%pip install`` dentro de IPython (Colab muestra entonces su aviso de reinicio);
    fuera de IPython, ``python -m pip install``."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        shell.run_line_magic("pip", "install -q " + " ".join(shlex.quote(r) for r in requirements))
    else:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *requirements], check=True)


def restart_message(stale: list[tuple[str, str, str]]) -> str:
    """Mensaje en español que pide reiniciar el entorno de ejecución."""
    changes = ", ".join(f"{dist} (cargado {old}, instalado {new})" for dist, old, new in stale)
    return (
        f"Hay que reiniciar el entorno de ejecución: se instaló otra versión de {changes}, "
        "que ya estaba cargado en memoria. En Colab: menú «Entorno de ejecución → Reiniciar "
        "sesión»; en Jupyter: «Kernel → Restart Kernel». Después vuelve a ejecutar esta celda "
        "(ya no instalará nada)."
    )


def install_missing(
    lab: str,
    profile=None,
    installer: Callable[[list[str]], None] = _pip_install,
    requires: list[str] | None = None,
) -> list[str]:
    """Instala los extras que le faltan al lab ``lab`` y devuelve lo que instaló.

    Lanza :class:`RestartRequired` si la instalación cambió un paquete que ya estaba cargado
    (tras reiniciar, la celda ya no instala nada y sigue).
    """
    extras = required_extras(lab, profile)
    missing = missing_requirements(extra_requirements(extras, requires))
    if not missing:
        return []
    print(f"» Instalando lo que le falta a este lab ({', '.join(extras)}): {' '.join(missing)}")
    before = installed_versions()
    installer(missing)
    stale = stale_modules(before, installed_versions())
    if stale:
        raise RestartRequired(restart_message(stale))
    return missing
