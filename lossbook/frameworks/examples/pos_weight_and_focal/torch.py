import torch
import torch.nn.functional as F

z_t, y_t = torch.as_tensor(z), torch.as_tensor(y)
loss_pos_weight = F.binary_cross_entropy_with_logits(z_t, y_t, pos_weight=torch.tensor(pos_weight))


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss, written out (reduction="none")."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:                               # a negative alpha switches the weighting off
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss


# with torchvision installed: from torchvision.ops import sigmoid_focal_loss
focal = sigmoid_focal_loss(z_t, y_t, alpha=-1, gamma=gamma).mean()
focal_alpha = sigmoid_focal_loss(z_t, y_t, alpha=alpha, gamma=gamma).mean()
