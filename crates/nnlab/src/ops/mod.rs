//! Linear operators and convolution: a flat-vector linear-operator abstraction with explicit
//! matrices and the dot-product (adjoint) test, and wrappers over Burn's convolution, transpose
//! convolution, pooling and upsampling ops; the tests prove the adjoint identities between them.

mod adjoint;
pub mod checks;
pub mod cnn1d;
mod conv;
pub mod grid;
pub mod signal;

pub use adjoint::{
    DotTest, LinearOp, dot, dot_product_test, matrix, max_abs_diff, random_vector, transpose,
};
pub use conv::{
    ConvGeometry, avg_pool2d, conv_transpose1d, conv_transpose2d, conv1d, conv1d_adjoint, conv2d,
    conv2d_adjoint, lp_pool2d, max_pool2d, sum_pool2d, upsample_kernel, upsample_nearest2d,
};

#[cfg(test)]
mod tests_adjoint;
#[cfg(test)]
mod tests_cnn1d;
#[cfg(test)]
mod tests_grid;
#[cfg(test)]
mod tests_pool;
#[cfg(test)]
mod tests_signal;
