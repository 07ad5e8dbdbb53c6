import numpy as np


def log_softmax(a):
    a = a - a.max(axis=1, keepdims=True)
    return a - np.log(np.exp(a).sum(axis=1, keepdims=True))


log_p_T, log_q_T = log_softmax(v / T), log_softmax(z / T)      # teacher, student, softened
soft = np.sum(np.exp(log_p_T) * (log_p_T - log_q_T)) / len(z)  # KL(p^T || q^T), mean over rows
hard = -np.mean(log_softmax(z)[np.arange(len(y)), y])          # cross-entropy with the labels
loss = alpha * T**2 * soft + (1 - alpha) * hard
