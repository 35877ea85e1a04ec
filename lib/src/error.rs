//! The library's one error type.

/// Why a computation could not produce a result.
///
/// Every public fallible function returns `Result<_, MathError>`; nothing panics or wraps.
/// Listing and trading bounds in the engine keep reachable states away from these errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MathError {
    /// Returned if an intermediate or final value does not fit its fixed-point type.
    Overflow,
    /// Returned if a divisor is zero.
    DivisionByZero,
    /// Returned if `ln` is asked for a non-positive argument or `sqrt` for a negative one.
    NonPositive,
    /// Returned if a model input lies outside its documented domain (for example a strike of
    /// zero, a negative volatility, decimals above 24, or a shock of 100% or more).
    OutOfDomain,
    /// Returned if an item names an underlying that has no market in the snapshot.
    UnknownUnderlying,
}

impl core::fmt::Display for MathError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = match self {
            MathError::Overflow => "arithmetic overflow",
            MathError::DivisionByZero => "division by zero",
            MathError::NonPositive => "argument must be positive",
            MathError::OutOfDomain => "input outside the model's domain",
            MathError::UnknownUnderlying => "no market for the underlying",
        };
        f.write_str(text)
    }
}

/// Shorthand for `Result<T, MathError>`.
pub type MathResult<T> = Result<T, MathError>;
