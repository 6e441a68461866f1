import pytest
import torch

from pioneer_worker.config import SpecError
from pioneer_worker.data import Example
from pioneer_worker.model import load_student, read_manifest
from pioneer_worker.predict import predict
from pioneer_worker.zero_shot import ZeroShotSpec, build_zero_shot, readable

CPU = torch.device("cpu")
TEXTS = ["what's the weather like in paris tomorrow", "play some jazz by miles davis", "is it going to rain tonight", "put on my workout playlist"]


def _predict(model_dir: str) -> list[dict]:
    student, tokenizer, manifest = load_student(model_dir, CPU)
    return predict(student, tokenizer, manifest, [Example(id=str(i), text=t) for i, t in enumerate(TEXTS)], device=CPU)


def test_a_zero_shot_model_loads_and_predicts_like_a_trained_one(tmp_path):
    spec = ZeroShotSpec.from_dict({"out_dir": str(tmp_path / "zs"), "labels": ["GetWeather", "PlayMusic"],
                                   "phrases": {"PlayMusic": ["play a song", "put on some music by an artist"]}})
    build_zero_shot(spec, CPU)
    manifest = read_manifest(str(tmp_path / "zs"))
    assert manifest["labels"] == ["GetWeather", "PlayMusic"]
    assert manifest["weights"] == "head" and manifest["normalize_features"] is True
    assert manifest["config"]["phrases"] == {"GetWeather": ["get weather"], "PlayMusic": ["play a song", "put on some music by an artist"]}
    preds = _predict(str(tmp_path / "zs"))
    assert [p["label"] for p in preds] == ["GetWeather", "PlayMusic", "GetWeather", "PlayMusic"]
    assert all(abs(sum(p["probs"].values()) - 1) < 1e-4 for p in preds)


def test_the_out_of_scope_row_wins_below_the_similarity_threshold(tmp_path):
    def labels_with(similarity: float) -> list[str]:
        out = tmp_path / f"zs-{similarity}"
        build_zero_shot(ZeroShotSpec.from_dict({"out_dir": str(out), "labels": ["GetWeather", "PlayMusic"], "oos_label": "oos", "oos_similarity": similarity}), CPU)
        return [p["label"] for p in _predict(str(out))]

    assert labels_with(1.01) == ["oos"] * len(TEXTS)  # no cosine reaches 1.01
    assert "oos" not in labels_with(-1.01)


def test_bad_specs_name_their_field():
    for raw, field in [({"out_dir": "x", "labels": []}, "labels"), ({"out_dir": "x", "labels": ["a", "a"]}, "labels"),
                       ({"out_dir": "x", "labels": ["a"], "phrases": {"b": ["x"]}}, "phrases"),
                       ({"out_dir": "x", "labels": ["a"], "oos_label": "a"}, "oos_label"), ({"labels": ["a"]}, "out_dir")]:
        with pytest.raises(SpecError) as err:
            ZeroShotSpec.from_dict(raw)
        assert err.value.field == field


def test_label_names_read_as_words():
    assert [readable(l) for l in ["card_arrival", "AddToPlaylist", "top-up", "oos"]] == ["card arrival", "add to playlist", "top up", "oos"]


def test_a_fine_tune_from_a_zero_shot_model_keeps_its_unit_features(tmp_path):
    from pioneer_worker.config import TrainConfig
    from pioneer_worker.train import train

    from .conftest import write_jsonl

    build_zero_shot(ZeroShotSpec.from_dict({"out_dir": str(tmp_path / "zs"), "labels": ["GetWeather", "PlayMusic"]}), CPU)
    data = write_jsonl(tmp_path / "seed.jsonl", [{"id": str(i), "text": t, "label": ["GetWeather", "PlayMusic"][i % 2]} for i, t in enumerate(TEXTS)])
    train(TrainConfig.from_dict({"kind": "classification", "train_path": str(data), "out_dir": str(tmp_path / "child"), "strategy": "head",
                                 "max_steps": 1, "learning_rate": 1e-12, "threads": 1, "init_from": str(tmp_path / "zs")}))
    assert read_manifest(str(tmp_path / "child"))["normalize_features"] is True
    before, after = _predict(str(tmp_path / "zs")), _predict(str(tmp_path / "child"))
    assert [p["label"] for p in after] == [p["label"] for p in before]
    assert all(abs(a["confidence"] - b["confidence"]) < 1e-3 for a, b in zip(after, before))
