"""Exactitud (accuracy) como módulo local de ``evaluate``: funciona sin conexión al Hub.

Mismos argumentos y valores por defecto que la métrica ``accuracy`` publicada por Hugging Face
(``evaluate/metrics/accuracy/accuracy.py``): ``normalize=True`` y ``sample_weight=None``.
"""

import datasets
import evaluate
from sklearn.metrics import accuracy_score

_DESCRIPTION = "Proporción de predicciones correctas: aciertos / total."
_INPUTS = """
predictions (list[int]): clases predichas.
references (list[int]): clases correctas.
normalize (bool): True (por defecto) da la proporción de aciertos; False, su número.
sample_weight (list[float]): pesos de los ejemplos. Por defecto, None.
Devuelve {"accuracy": float}: entre 0 y 1, o el número de aciertos si normalize=False.
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _INPUTS)
class Accuracy(evaluate.Metric):
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
                "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.accuracy_score.html"
            ],
        )

    def _compute(self, predictions, references, normalize=True, sample_weight=None):
        score = accuracy_score(
            references, predictions, normalize=normalize, sample_weight=sample_weight
        )
        return {"accuracy": float(score)}
