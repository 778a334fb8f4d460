//! Compiles `gateway/v1/*.proto` with a vendored protoc, so no system protoc is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY of set_var: build scripts are single-threaded.
    std::env::set_var("PROTOC", protoc);
    let files = [
        "gateway/v1/common.proto",
        "gateway/v1/keys.proto",
        "gateway/v1/accounts.proto",
        "gateway/v1/stats.proto",
        "gateway/v1/logs.proto",
        "gateway/v1/system.proto",
        "gateway/v1/audit.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    tonic_prost_build::configure().compile_protos(&files, &["."])?;
    Ok(())
}
