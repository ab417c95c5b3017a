"""Agrupación (pooling): de los vectores de los tokens a un vector por texto.

``AutoModelForSequenceClassification`` con un BERT clasifica desde el *pooler*: el vector del
token ``[CLS]`` pasado por una capa densa con ``tanh``. En ``bert-base-cased`` esa capa se
entrenó (con la tarea de la frase siguiente); en all-MiniLM-L6-v2, el modelo de ``quick`` y
``ci``, no: sentence-transformers lo entrenó con la **media** de los vectores de los tokens, y
su pooler es un resto sin entrenar. Con el codificador congelado, la cabeza solo ve lo que le
da la agrupación: desde el pooler de MiniLM apenas pasa de la clase mayoritaria.

:class:`MeanPoolingBertForSequenceClassification` es el mismo modelo (mismos módulos y pesos,
``bert``, ``dropout``, ``classifier``; peft y ``Trainer`` lo tratan igual) que clasifica desde
la media de los vectores de los tokens, ponderada por la máscara de atención (el relleno no
cuenta). :func:`with_mean_pooling` convierte un clasificador ya cargado.
"""

from __future__ import annotations

import functools
from typing import Any

from coursekit.errors import CourseError

#: Las agrupaciones que entiende el curso: el pooler del modelo, el vector de [CLS] sin la
#: capa densa y la media de los tokens.
POOLINGS = ("pooler", "cls", "mean")


def mean_pool(hidden_states: Any, attention_mask: Any | None = None):
    """Media de ``hidden_states`` (lote × tokens × ancho) sobre los tokens, contando solo los
    que tienen ``attention_mask`` 1 (sin máscara, todos). Devuelve lote × ancho."""
    import torch

    if hidden_states.dim() != 3:
        shape = tuple(hidden_states.shape)
        raise CourseError(f"mean_pool espera lote × tokens × ancho; recibió la forma {shape}.")
    if attention_mask is None:
        return hidden_states.mean(dim=1)
    if tuple(attention_mask.shape) != tuple(hidden_states.shape[:2]):
        raise CourseError(
            f"La máscara {tuple(attention_mask.shape)} no cuadra con los vectores "
            f"{tuple(hidden_states.shape[:2])} (lote × tokens)."
        )
    weights = attention_mask.unsqueeze(-1).to(hidden_states.dtype)
    total = (hidden_states * weights).sum(dim=1)
    count = weights.sum(dim=1).clamp(min=torch.finfo(hidden_states.dtype).tiny)
    return total / count


def pooled_vectors(outputs: Any, attention_mask: Any | None, pooling: str):
    """El vector de cada texto según ``pooling`` (``"pooler"``, ``"cls"`` o ``"mean"``) a partir
    de la salida de un ``BertModel`` (``last_hidden_state`` y ``pooler_output``)."""
    if pooling == "pooler":
        if getattr(outputs, "pooler_output", None) is None:
            raise CourseError("El modelo no tiene pooler (add_pooling_layer=False).")
        return outputs.pooler_output
    if pooling == "cls":
        return outputs.last_hidden_state[:, 0]
    if pooling == "mean":
        return mean_pool(outputs.last_hidden_state, attention_mask)
    raise CourseError(f"Agrupación desconocida {pooling!r}; válidas: {', '.join(POOLINGS)}.")


def _bert_class():
    from transformers import BertForSequenceClassification

    return BertForSequenceClassification


@functools.cache
def _mean_pooling_class():
    from transformers import BertForSequenceClassification
    from transformers.loss.loss_utils import ForSequenceClassificationLoss
    from transformers.modeling_outputs import SequenceClassifierOutput

    class MeanPoolingBertForSequenceClassification(BertForSequenceClassification):
        """``BertForSequenceClassification`` que clasifica desde la media de los vectores de los
        tokens (con la máscara de atención) en vez de desde el pooler.

        Mismos módulos y nombres de pesos: ``from_pretrained`` de una carpeta de BERT funciona
        igual, y peft (LoRA, prompt tuning con ``task_type=SEQ_CLS``) encuentra la cabeza
        ``classifier`` como siempre. Con prompt tuning, peft alarga la máscara con unos: los
        tokens virtuales entran en la media. El pooler sigue ahí (se guarda y se carga) pero no
        se usa.
        """

        def forward(
            self,
            input_ids=None,
            attention_mask=None,
            token_type_ids=None,
            position_ids=None,
            inputs_embeds=None,
            labels=None,
            **kwargs,
        ):
            kwargs.pop("return_dict", None)
            outputs = self.bert(
                input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                position_ids=position_ids,
                inputs_embeds=inputs_embeds,
                return_dict=True,
                **kwargs,
            )
            pooled = mean_pool(outputs.last_hidden_state, attention_mask)
            logits = self.classifier(self.dropout(pooled))
            loss = None
            if labels is not None:
                loss = ForSequenceClassificationLoss(labels, logits, self.config)
            return SequenceClassifierOutput(
                loss=loss,
                logits=logits,
                hidden_states=outputs.hidden_states,
                attentions=outputs.attentions,
            )

    MeanPoolingBertForSequenceClassification.__module__ = __name__
    return MeanPoolingBertForSequenceClassification


def __getattr__(name: str):
    # La clase se crea al pedirla: importar coursekit.pooling no importa transformers.
    if name == "MeanPoolingBertForSequenceClassification":
        return _mean_pooling_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def with_mean_pooling(model: Any):
    """El mismo clasificador (mismos pesos, incluida la cabeza) clasificando desde la media de
    los tokens: una :class:`MeanPoolingBertForSequenceClassification` nueva con el estado de
    ``model``. ``model`` no cambia."""
    import copy

    import torch

    if not isinstance(model, _bert_class()):
        raise CourseError(
            "with_mean_pooling necesita un BertForSequenceClassification (BERT, MiniLM...); "
            f"recibió {type(model).__name__}."
        )
    cls = _mean_pooling_class()
    if isinstance(model, cls):
        return model
    parameter = next(model.parameters())
    with torch.device(parameter.device):
        pooled = cls(copy.deepcopy(model.config))
    pooled.load_state_dict(model.state_dict())
    pooled.to(parameter.dtype)
    pooled.train(model.training)
    return pooled
