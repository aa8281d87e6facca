"""Load DIET and TED for prediction without building their training step first.

Rasa 3.6's ``RasaModel.load`` compiles the model with an Adam optimiser and *trains it on one
example* so that every weight exists, then overwrites the weights from the checkpoint and
traces the prediction function. The traced training step, its gradients and the optimiser's
slots stay in memory for the life of the server: on this project's model that was 527 MB
for DIET and 126 MB for TED, more than half of a Rasa process's resident memory
(``bench/rss.py``, ``bench/README.md``).

Here a model that is loaded for prediction (not fine-tuning) restores the checkpoint first
and then runs its prediction example: Keras restores each variable as it is created
(TensorFlow's deferred restoration matches them by object path, not by order), so the
prediction graph is built with the trained values and no training graph ever exists. Before
the model is used, ``assert_existing_objects_matched`` checks that every variable the
prediction created was found in the checkpoint; if anything is missing, or the model is
being fine-tuned, or there is no prediction example, Rasa's own ``load`` runs instead.
``tests/runtime/test_lean_model_loading.py`` trains a small DIET + TED model and checks the
two ways of loading give the same intents, entities and TED probabilities.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_original_load: Any = None


def lean_load(cls: Any, model_file_name: str, model_data_example: Any,
              predict_data_example: Any = None, finetune_mode: bool = False,
              *args: Any, **kwargs: Any) -> Any:
    """``RasaModel.load`` with the same arguments and result, minus the training step."""
    if finetune_mode or predict_data_example is None:
        return _original_load.__func__(cls, model_file_name, model_data_example,
                                       predict_data_example, finetune_mode, *args, **kwargs)
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)
    try:
        model.run_inference(predict_data_example)
        status.assert_existing_objects_matched()
    except AssertionError as exc:
        logger.warning("lean loading of %s left weights unrestored (%s); loading the Rasa "
                       "way", cls.__name__, exc)
        return _original_load.__func__(cls, model_file_name, model_data_example,
                                       predict_data_example, finetune_mode, *args, **kwargs)
    # The checkpoint also holds the optimiser's slots, which prediction never needs.
    status.expect_partial()
    return model


def install() -> None:
    """Replace ``RasaModel.load`` (idempotent)."""
    global _original_load
    from rasa.utils.tensorflow.models import RasaModel

    if _original_load is not None:
        return
    _original_load = RasaModel.__dict__["load"]
    RasaModel.load = classmethod(lean_load)  # type: ignore[method-assign,assignment]


def original_load() -> Any:
    """Rasa's own ``RasaModel.load`` (the classmethod object), for comparisons."""
    from rasa.utils.tensorflow.models import RasaModel

    return _original_load or RasaModel.__dict__["load"]
