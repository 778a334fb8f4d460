//! The reference proxy: nginx as a plain reverse proxy in front of the mock, pinned like
//! gatewayd (one worker on CPU 0), with a keep-alive pool to the upstream, the request
//! body buffered and the answer relayed unbuffered. Used when an `nginx` binary is
//! installed (Debian: `apt-get install nginx-light`); skipped, and said so, when not.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::procs::Mock;
use super::Options;

/// A running nginx, stopped on drop.
pub struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
    pub url: String,
}

/// Where nginx is installed, if it is.
pub fn binary() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").into_iter().flat_map(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nginx"))
            .collect::<Vec<_>>()
    });
    from_path
        .chain([
            "/usr/sbin/nginx".into(),
            "/usr/local/nginx/sbin/nginx".into(),
        ])
        .find(|candidate| candidate.is_file())
}

impl Nginx {
    /// Starts nginx in front of `mock`; `Ok(None)` when nginx is not installed.
    pub fn start(options: &Options, mock: &Mock) -> Result<Option<Self>, String> {
        let Some(exe) = binary() else {
            return Ok(None);
        };
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let upstream = mock.url.trim_start_matches("http://");
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config(dir.path(), upstream, port)).map_err(|e| e.to_string())?;
        let mut command = if options.pin {
            let mut c = Command::new("taskset");
            c.args(["-c", "0"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let child = command
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let nginx = Self {
            child,
            _dir: dir,
            url: format!("http://127.0.0.1:{port}"),
        };
        nginx.wait_ready(port)?;
        Ok(Some(nginx))
    }

    /// User plus system CPU time nginx used so far (one process: no master).
    pub fn cpu_time(&self) -> std::time::Duration {
        super::procs::cpu_time_of(self.child.id())
    }

    /// Context switches so far.
    pub fn switches(&self) -> u64 {
        super::procs::switches_of(self.child.id())
    }

    fn wait_ready(&self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("nginx did not start listening within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An ephemeral port nobody holds right now (nginx cannot listen on port 0).
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn config(dir: &Path, upstream: &str, port: u16) -> String {
    let dir = dir.display();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream mock {{ server {upstream}; keepalive 128; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_max_body_size 32m;
        client_body_buffer_size 64k;
        keepalive_requests 1000000;
        location / {{
            proxy_pass http://mock;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"#
    )
}
