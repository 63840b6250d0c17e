"""Tiny random translation models, built in seconds without any download, for the real loading code paths.

`build_tiny_marian(directory)` writes what an opus-mt download contains (config.json, model.safetensors,
source.spm, target.spm, vocab.json, tokenizer_config.json) with SentencePiece models trained on the sentences
below and a 16-dimensional random MarianMT. `build_tiny_nllb(directory)` does the same for an NLLB-200
(M2M100 architecture) model with the NLLB language codes. The weights are random: outputs are gibberish of
bounded length, which is all the backend tests need.
"""

import io
import json
from pathlib import Path

SPANISH = [
    "¿Dónde está mi pedido?", "Quiero devolver este producto.", "Mi paquete no ha llegado todavía.",
    "¿Cuánto cuesta el envío a México?", "El número de pedido es 85632.", "Necesito cambiar la dirección de entrega.",
    "La talla es demasiado pequeña.", "¿Puedo pagar con tarjeta de crédito?", "Gracias por su ayuda.",
    "Quiero hablar con una persona.", "El producto llegó roto.", "¿Cuándo llegará mi pedido?",
    "Me cobraron dos veces.", "¿Tienen esta camisa en azul?", "Quiero cancelar mi pedido.",
    "¿Cuál es el estado de mi reembolso?", "La caja estaba vacía.", "Buenos días, necesito ayuda.",
    "¿Hacen envíos a España?", "El código de descuento no funciona.", "Quiero cambiar los zapatos por otra talla.",
    "¿Cuánto tarda el reembolso?", "No recibí el correo de confirmación.", "Mi cuenta está bloqueada.",
    "Hola, ¿cómo estás?", "El pedido llegó tarde.", "¿Puedo recoger el pedido en la tienda?",
    "Por favor, envíe una factura.", "El color no es el de la foto.", "Adiós y gracias.",
]
ENGLISH = [
    "Where is my order?", "I want to return this product.", "My parcel has not arrived yet.",
    "How much is shipping to Mexico?", "The order number is 85632.", "I need to change the delivery address.",
    "The size is too small.", "Can I pay by credit card?", "Thank you for your help.",
    "I want to talk to a person.", "The product arrived broken.", "When will my order arrive?",
    "I was charged twice.", "Do you have this shirt in blue?", "I want to cancel my order.",
    "What is the status of my refund?", "The box was empty.", "Good morning, I need help.",
    "Do you ship to Spain?", "The discount code does not work.", "I want to exchange the shoes for another size.",
    "How long does the refund take?", "I did not get the confirmation email.", "My account is locked.",
    "Hello, how are you?", "The order arrived late.", "Can I pick up the order in the store?",
    "Please send an invoice.", "The colour is not the one in the photo.", "Goodbye and thank you.",
]

#: init_std 1.0 (instead of 0.02) makes the random outputs depend on the input, so tests can tell them apart.
TINY = {"d_model": 16, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
        "decoder_attention_heads": 2, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32, "max_position_embeddings": 64,
        "init_std": 1.0}


def train_sentencepiece(sentences: list[str], vocab_size: int = 120) -> bytes:
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=model, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, minloglevel=2)
    return model.getvalue()


def spm_pieces(model: bytes) -> list[str]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(index) for index in range(processor.get_piece_size())]


def build_tiny_marian(directory: Path, *, seed: int = 0) -> Path:
    """A random MarianMT es->en model with its tokenizer, saved with save_pretrained into `directory`."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source, target = train_sentencepiece(SPANISH), train_sentencepiece(ENGLISH)
    (directory / "source.spm").write_bytes(source)
    (directory / "target.spm").write_bytes(target)
    # One shared vocabulary, laid out like opus-mt's: </s> 0, <unk> 1, the pieces, <pad> last.
    pieces = [piece for piece in dict.fromkeys(spm_pieces(source) + spm_pieces(target))
              if piece not in ("<unk>", "<s>", "</s>", "<pad>")]
    vocab = {"</s>": 0, "<unk>": 1, **{piece: index + 2 for index, piece in enumerate(pieces)}}
    vocab["<pad>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(str(directory / "source.spm"), str(directory / "target.spm"),
                                str(directory / "vocab.json"), source_lang="es", target_lang="en")
    pad = vocab["<pad>"]
    config = MarianConfig(vocab_size=len(vocab), pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
                          forced_eos_token_id=0, **TINY)
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_nllb(directory: Path, *, seed: int = 0) -> Path:
    """A random NLLB-architecture (M2M100) model whose tokenizer knows the NLLB-200 language codes."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    characters = sorted({char for sentence in SPANISH + ENGLISH for char in sentence.lower() if not char.isspace()})
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "▁": 4}
    for char in characters:
        vocab.setdefault(char, len(vocab))
    tokenizer = NllbTokenizer(vocab=vocab, merges=[], src_lang="eng_Latn", tgt_lang="spa_Latn")
    config = M2M100Config(vocab_size=len(tokenizer), pad_token_id=1, bos_token_id=0, eos_token_id=2,
                          decoder_start_token_id=2, **TINY)
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
