//! Proximal methods: proximal maps (soft thresholding as the prox of λ‖·‖₁, projections, block
//! soft thresholding), linear operators with adjoints in f64 and the power iteration for
//! L = ‖A‖₂², the gradient map, and the solvers (subgradient method, ISTA, FISTA, backtracking)
//! for min f(x) + g(x); a 2-D blur operator for deblurring and seeded Lasso instances.

mod blur;
mod maps;
mod operator;
mod problem;
mod solve;

pub use blur::{Blur2d, gaussian_kernel, psnr};
pub use maps::{
    GroupL2, L1, L1Box, NonNegative, Penalty, SOFT_THRESHOLD_CHECK, block_soft_threshold,
    check_soft_threshold, soft_threshold, soft_threshold_residual,
};
pub use operator::{Dense, Operator, dot, linear_ops, norm, power_iteration};
pub use problem::{SparseProblem, sparse_problem, support};
pub use solve::{
    LeastSquares, Options, Smooth, Solution, Step, fista, gradient_map, ista, subgradient,
};

#[cfg(test)]
mod tests_maps;
#[cfg(test)]
mod tests_solve;
