"""model.save_model / load_model: the whole model (architecture and weights) in one file."""

import numpy as np
import pytest

from helpers import model


def test_round_trip_with_batchnorm_and_tanh(tmp_path):
    params = model.init_params([3, 4, 2], batchnorm=True, seed=0)
    params["running_mean1"] = params["running_mean1"] + 0.5
    model.save_model(tmp_path / "bn.npz", params, hidden="tanh")
    loaded, hidden, layer_dims = model.load_model(tmp_path / "bn.npz")
    assert hidden == "tanh" and layer_dims == [3, 4, 2]
    assert sorted(loaded) == sorted(params)
    X = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(model.predict_proba(X, loaded, hidden), model.predict_proba(X, params, "tanh"))


def test_binary_network_round_trip(tmp_path):
    params = model.init_params([2, 5, 3, 1], seed=1)
    model.save_model(tmp_path / "net.npz", params, hidden="relu")
    loaded, hidden, layer_dims = model.load_model(tmp_path / "net.npz")
    assert hidden == "relu" and layer_dims == [2, 5, 3, 1]
    for key, value in params.items():
        np.testing.assert_array_equal(loaded[key], value)


def test_load_model_refuses_a_file_of_weights_alone(tmp_path):
    model.save_params(tmp_path / "weights_only.npz", model.init_params([3, 2]))
    with pytest.raises(ValueError, match="layer_dims") as info:
        model.load_model(tmp_path / "weights_only.npz")
    assert "load_params" in str(info.value)


def test_load_model_refuses_weights_that_contradict_the_architecture(tmp_path):
    params = model.init_params([3, 4, 2])
    np.savez(tmp_path / "bad.npz", **params, layer_dims=np.array([3, 5, 2]), hidden=np.array("relu"))
    with pytest.raises(ValueError, match="do not match"):
        model.load_model(tmp_path / "bad.npz")


@pytest.mark.parametrize("params, hidden, message", [
    ({"b1": np.zeros((1, 1))}, "relu", "W1"),
    ("weights", "relu", "dict"),
    (model.init_params([3, 2]), "softplus", "hidden"),
])
def test_save_model_validates(tmp_path, params, hidden, message):
    with pytest.raises(ValueError, match=message):
        model.save_model(tmp_path / "x.npz", params, hidden)
    assert not (tmp_path / "x.npz").exists()
