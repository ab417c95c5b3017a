"""F1 como módulo local de ``evaluate``: funciona sin conexión al Hub."""

import datasets
import evaluate
from sklearn.metrics import f1_score

_DESCRIPTION = "Media armónica de precisión y exhaustividad (recall); average='macro' por defecto."
_INPUTS = """
predictions (list[int]): clases predichas.
references (list[int]): clases correctas.
average (str): 'macro' (por defecto), 'micro', 'weighted' o 'binary'.
Devuelve {"f1": float} entre 0 y 1.
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _INPUTS)
class F1(evaluate.Metric):
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

    def _compute(self, predictions, references, average="macro", labels=None, sample_weight=None):
        score = f1_score(
            references,
            predictions,
            average=average,
            labels=labels,
            sample_weight=sample_weight,
            zero_division=0,
        )
        return {"f1": float(score)}
