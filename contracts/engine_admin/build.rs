//! Compiles the engine's contract source (`../engine/src/contract.rs`) as the admin module.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(engine_admin)");
    println!("cargo::rustc-cfg=engine_admin");
}
