"""lossbook: the package behind the interactive textbook on loss functions.

Submodules, by topic: :mod:`lossbook.losses` (losses and their gradients),
:mod:`lossbook.optim` (optimizers with torch.optim's update rules),
:mod:`lossbook.landscapes` (2-D test surfaces), :mod:`lossbook.data` (small offline
data sets), :mod:`lossbook.plotting`, :mod:`lossbook.widgets` and
:mod:`lossbook.frameworks` (PyTorch and TensorFlow counterparts).
Importing ``lossbook`` imports none of the frameworks.
"""

__version__ = "0.1.0"
