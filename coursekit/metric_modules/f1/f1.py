"""F1 como módulo local de ``evaluate``: funciona sin conexión al Hub.

Mismos argumentos, valores por defecto y errores que la métrica ``f1`` publicada por
Hugging Face (``evaluate/metrics/f1/f1.py``): ``average="binary"`` por defecto, que con más de
dos clases lanza ``ValueError`` (el de scikit-learn, que pide elegir otro ``average``). Así, lo
que el estudiante aprende aquí funciona igual con ``evaluate.load("f1")``.
"""

import datasets
import evaluate
from sklearn.metrics import f1_score

_DESCRIPTION = (
    "Media armónica de precisión y exhaustividad (recall): F1 = 2·P·R / (P + R). "
    "average='binary' por defecto, como la métrica f1 de evaluate."
)
_INPUTS = """
predictions (list[int]): clases predichas.
references (list[int]): clases correctas.
labels (list[int]): clases que entran en el promedio cuando average no es 'binary' (por
    defecto, todas las que aparecen).
pos_label (int): la clase positiva cuando average='binary'. Por defecto, 1.
average (str o None): 'binary' (por defecto; solo con dos clases), 'macro', 'micro',
    'weighted', 'samples' (multietiqueta) o None (una F1 por clase).
sample_weight (list[float]): pesos de los ejemplos. Por defecto, None.
Devuelve {"f1": float} entre 0 y 1, o un array con una F1 por clase si average=None.
Con más de dos clases y average='binary' lanza ValueError: hay que elegir average.
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _INPUTS)
class F1(evaluate.Metric):
    def _info(self):
        value = datasets.Value("int32")
        if self.config_name == "multilabel":
            value = datasets.Sequence(value)
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features({"predictions": value, "references": value}),
            reference_urls=[
                "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.f1_score.html"
            ],
        )

    def _compute(
        self,
        predictions,
        references,
        labels=None,
        pos_label=1,
        average="binary",
        sample_weight=None,
    ):
        score = f1_score(
            references,
            predictions,
            labels=labels,
            pos_label=pos_label,
            average=average,
            sample_weight=sample_weight,
        )
        # scikit-learn >= 1.6 devuelve un float, no un array, cuando hay un solo valor
        # (evaluate lo corrigió en huggingface/evaluate#656).
        return {"f1": score if getattr(score, "size", 1) > 1 else float(score)}
