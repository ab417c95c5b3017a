"""Exactitud (accuracy) como módulo local de ``evaluate``: funciona sin conexión al Hub."""

import datasets
import evaluate
from sklearn.metrics import accuracy_score

_DESCRIPTION = "Proporción de predicciones correctas: aciertos / total."
_INPUTS = """
predictions (list[int]): clases predichas.
references (list[int]): clases correctas.
Devuelve {"accuracy": float} entre 0 y 1.
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _INPUTS)
class Accuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
            reference_urls=["https://scikit-learn.org/stable/modules/model_evaluation.html"],
        )

    def _compute(self, predictions, references, normalize=True, sample_weight=None):
        score = accuracy_score(
            references, predictions, normalize=normalize, sample_weight=sample_weight
        )
        return {"accuracy": float(score)}
