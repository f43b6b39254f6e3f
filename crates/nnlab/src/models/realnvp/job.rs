//! The `nnlab realnvp` job (placeholder).
