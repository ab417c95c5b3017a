"""Un clasificador de juguete y lotes deterministas para probar bucles escritos a mano.

Las comprobaciones del lab 04 y las pruebas ocultas del corrector necesitan casos que pongan
a prueba lo que se enseña (varias clases desequilibradas, varios lotes distintos, dropout
que cambia las predicciones, gradientes grandes que el recorte sí cambia) y que se calculen
en milisegundos. Un BERT real no garantiza ninguna de esas propiedades con una cabeza al
azar; este modelo sí, con una semilla fija.
"""

from __future__ import annotations

from typing import Any

import torch

VOCAB_SIZE = 97


class ToyClassifier(torch.nn.Module):
    """Clasificador de secuencias mínimo con la interfaz de transformers.

    ``model(input_ids=..., attention_mask=..., labels=...)`` devuelve un objeto con
    ``.logits`` (lote × clases) y, si hay ``labels``, ``.loss`` (entropía cruzada). Tiene
    dropout fuerte sobre los logits: en modo entrenamiento las predicciones cambian.
    ``scale`` agranda los pesos iniciales (y con ellos los gradientes).
    """

    def __init__(self, num_classes: int, seed: int = 0, dropout: float = 0.5, scale: float = 3.0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.embedding = torch.nn.Embedding(VOCAB_SIZE, 8)
        self.classifier = torch.nn.Linear(8, num_classes)
        with torch.no_grad():
            self.embedding.weight.copy_(torch.randn(VOCAB_SIZE, 8, generator=generator) * scale)
            self.classifier.weight.copy_(torch.randn(num_classes, 8, generator=generator))
            self.classifier.bias.zero_()
        self.dropout = torch.nn.Dropout(dropout)
        self.num_labels = num_classes

    @property
    def device(self):
        return next(self.parameters()).device

    def forward(self, input_ids, attention_mask=None, labels=None, **_: Any):
        from transformers.modeling_outputs import SequenceClassifierOutput

        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask = attention_mask.unsqueeze(-1).to(self.embedding.weight.dtype)
        pooled = (self.embedding(input_ids % VOCAB_SIZE) * mask).sum(1) / mask.sum(1).clamp(min=1)
        logits = self.dropout(self.classifier(pooled))
        loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def toy_batches(num_classes: int, batch_sizes: tuple[int, ...], seed: int = 0) -> list:
    """Lotes (``BatchEncoding``, como los de ``DataCollatorWithPadding``) con ``input_ids``,
    ``attention_mask`` con relleno y ``labels`` desequilibradas (la clase 0 abunda)."""
    from transformers import BatchEncoding

    generator = torch.Generator().manual_seed(seed)
    weights = torch.tensor([2.0**-k for k in range(num_classes)])
    batches = []
    for size in batch_sizes:
        length = int(torch.randint(4, 12, (1,), generator=generator))
        input_ids = torch.randint(1, VOCAB_SIZE, (size, length), generator=generator)
        lengths = torch.randint(2, length + 1, (size,), generator=generator)
        attention_mask = (torch.arange(length) < lengths.unsqueeze(1)).long()
        input_ids = input_ids * attention_mask
        labels = torch.multinomial(weights, size, replacement=True, generator=generator)
        batches.append(
            BatchEncoding(
                {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
            )
        )
    return batches


def tiny_bert_classifier(
    num_labels: int = 2,
    hidden_size: int = 32,
    num_layers: int = 2,
    seed: int = 0,
    vocab_size: int = 30522,
):
    """Un ``BertForSequenceClassification`` diminuto con pesos al azar (semilla fija): la
    arquitectura real de BERT (``query``, ``key``, ``value``, ``classifier``...) para probar
    peft y los bucles en décimas de segundo. ``vocab_size`` por defecto, el de MiniLM."""
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=2 if hidden_size % 2 == 0 else 1,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=128,
        num_labels=num_labels,
    )
    return BertForSequenceClassification(config)
