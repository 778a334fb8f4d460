//! Log output: text or JSON lines on stderr, filtered by `RUST_LOG` (default `info`).
//! Built with `--features otlp`, spans (one per request, carrying its id) are also
//! exported over OTLP/gRPC to `telemetry.otlp_endpoint`.

use std::io::IsTerminal;

use serde::Deserialize;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// `[telemetry]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// An OTLP/gRPC collector, e.g. `http://127.0.0.1:4317`; needs a build with the
    /// `otlp` feature.
    pub otlp_endpoint: Option<String>,
}

/// Whether this build can export spans.
pub const OTLP_BUILT_IN: bool = cfg!(feature = "otlp");

type Boxed = Box<dyn Layer<Registry> + Send + Sync>;

/// Installs the global subscriber. Call inside the runtime when exporting spans.
pub fn init(json: bool, telemetry: &TelemetryConfig) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let fmt: Boxed = if json {
        Box::new(fmt.json().with_filter(filter))
    } else {
        Box::new(fmt.with_filter(filter))
    };
    let mut layers = vec![fmt];
    layers.extend(telemetry.otlp_endpoint.as_deref().and_then(otlp_layer));
    tracing_subscriber::registry().with(layers).init();
}

#[cfg(feature = "otlp")]
fn otlp_layer(endpoint: &str) -> Option<Boxed> {
    use opentelemetry::trace::TracerProvider;
    use opentelemetry_otlp::WithExportConfig;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build();
    let exporter = match exporter {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gatewayd: OTLP export disabled: {e}");
            return None;
        }
    };
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("gatewayd");
    let filter = EnvFilter::new("gatewayd=info");
    Some(Box::new(
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(filter),
    ))
}

#[cfg(not(feature = "otlp"))]
fn otlp_layer(_endpoint: &str) -> Option<Boxed> {
    None
}
