//! `deltamargin simulate` / `drill` forward to `deltamargin-sim`, `keeper` and `admin` to
//! `deltamargin-keeper` and `deltamargin-admin`.

use std::process::Command;

fn deltamargin(args: &[&str], sibling: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_deltamargin"))
        .args(args)
        .env("DELTAMARGIN_SIM", sibling)
        .env("DELTAMARGIN_KEEPER", sibling)
        .env("DELTAMARGIN_ADMIN", sibling)
        .output()
        .expect("spawn deltamargin")
}

#[test]
fn missing_sibling_says_how_to_build_it() {
    let missing = std::env::temp_dir().join("deltamargin-forward-test-no-such-binary");
    let cases = [
        ("simulate", "DELTAMARGIN_SIM=", "cd tests && cargo build --release --locked --bin deltamargin-sim"),
        ("drill", "DELTAMARGIN_SIM=", "cd tests && cargo build --release --locked --bin deltamargin-sim"),
        ("admin", "DELTAMARGIN_ADMIN=", "cd keeper && cargo build --release --locked --bin deltamargin-admin"),
        ("keeper", "DELTAMARGIN_KEEPER=", "cd keeper && cargo build --release --locked --bin deltamargin-keeper"),
    ];
    for (sub, env, hint) in cases {
        let out = deltamargin(&[sub, "scenarios/crash.toml"], &missing);
        assert_eq!(out.status.code(), Some(1), "{sub}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(env), "{stderr}");
        assert!(stderr.contains(hint), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn arguments_and_exit_code_pass_through() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("deltamargin-forward-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let stub = dir.join("deltamargin-sim");
    std::fs::write(&stub, "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\necho oops >&2\nexit 3\n").expect("stub");
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = deltamargin(&["simulate", "my scenario.toml", "--json", "--svg", "out", "--help"], &stub);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[simulate]\n[my scenario.toml]\n[--json]\n[--svg]\n[out]\n[--help]\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
    // The keeper is its own binary: the subcommand is not passed on.
    let out = deltamargin(&["keeper", "--url", "ws://127.0.0.1:9944"], &stub);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[--url]\n[ws://127.0.0.1:9944]\n");
    let _ = std::fs::remove_dir_all(&dir);
}
