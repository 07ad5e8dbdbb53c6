"""lossbook: the package behind the interactive textbook on loss functions.

Submodules, by topic: :mod:`lossbook.losses` (losses and their gradients),
:mod:`lossbook.optim` (optimizers with torch.optim's update rules),
:mod:`lossbook.landscapes` (2-D test surfaces), :mod:`lossbook.data` (small offline
data sets), :mod:`lossbook.metrics` (evaluation metrics), :mod:`lossbook.decoding`
(CTC decoding), :mod:`lossbook.plotting`, :mod:`lossbook.widgets` and
:mod:`lossbook.frameworks` (PyTorch and TensorFlow counterparts); :mod:`lossbook.train`
(a PyTorch training loop) and :mod:`lossbook.nets` (small PyTorch models) import PyTorch.
Importing ``lossbook`` imports none of the frameworks.
"""

#: The version of the package and of the book (pyproject.toml, the book's footer and
#: CITATION.cff read it from here; CHANGELOG.md says what each version holds).
__version__ = "0.2.0"
