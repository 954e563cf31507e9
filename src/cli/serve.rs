//! `pipelab serve`: a REST scoring server speaking MLflow's scoring protocol
//! (`mlflow/pyfunc/scoring_server`), so MLflow clients work unchanged.
//!
//! ```text
//! GET  /ping, /health   200 {"status": "ok"}
//! GET  /version         {"format": "pipelab-model", "format_version": 2, "pipelab_version": "0.1.0"}
//! GET  /schema          the input columns and types the model reads (api::model_schema)
//! POST /invocations     application/json {"dataframe_split": {"columns": [...], "data": [[...]]}}
//!                                     or {"dataframe_records": [{"col": value, ...}, ...]}
//!                       text/csv        a CSV with a header row
//!                       → {"predictions": [...]} (+ "probabilities", "classes" for classifiers)
//! errors                4xx/5xx {"error_code": "BAD_REQUEST" | "INVALID_PARAMETER_VALUE" | ..., "message": "..."}
//! ```
//!
//! Bin-only (declared from main.rs behind the `server` cargo feature, so the
//! wasm build never compiles axum/tokio). Everything about the model goes
//! through `api` (`predict_records`, `predict_csv_scores`, `model_schema`);
//! this file only speaks HTTP. Predicting is CPU work: it runs on tokio's
//! blocking pool with the model shared through an `Arc`. Each request has a
//! deadline (`--timeout-ms`) covering reading the body and predicting; the body
//! is limited (`--max-body-bytes`). SIGINT / SIGTERM stop accepting, let the
//! requests in flight finish, and exit 0. One line per request on stderr:
//! method, path, status, rows, milliseconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use pipelab::api;
use pipelab::persist::ModelFile;

pub struct Config {
    pub host: String,
    pub port: u16,
    pub max_body_bytes: usize,
    pub timeout: Duration,
}

pub const DEFAULT_PORT: u16 = 8080;
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 << 20;
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;

struct AppState {
    model: ModelFile,
    schema: String,
    version: String,
}

/// Rows scored by a request, handed from the handler to the log line.
#[derive(Clone, Copy)]
struct Rows(usize);

/// Runs the server until SIGINT / SIGTERM.
pub fn run(model: ModelFile, model_path: &str, cfg: Config) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(serve(model, model_path, cfg))
}

async fn serve(model: ModelFile, model_path: &str, cfg: Config) -> Result<(), String> {
    let schema = api::model_schema(&model).to_string();
    let version = json!({
        "format": pipelab::persist::FORMAT,
        "format_version": model.format_version,
        "pipelab_version": env!("CARGO_PKG_VERSION"),
    })
    .to_string();
    let state = Arc::new(AppState { model, schema, version });
    let timeout = cfg.timeout;
    let app = Router::new()
        .route("/ping", get(ping))
        .route("/health", get(ping))
        .route("/version", get(version_info))
        .route("/schema", get(schema_info))
        .route("/invocations", post(invocations))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(cfg.max_body_bytes))
        .layer(axum::middleware::from_fn(move |req: Request, next: Next| log_and_deadline(req, next, timeout)))
        .with_state(state);
    let addr = format!("{}:{}", cfg.host, cfg.port);
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound: SocketAddr = listener.local_addr().map_err(|e| format!("cannot read the bound address: {e}"))?;
    // The one line on stdout: scripts and tests read the port from it (`--port 0` picks a free one).
    println!("pipelab serve: listening on http://{bound}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    eprintln!(
        "pipelab serve: model {model_path}, http://{bound}/invocations, body limit {} bytes, timeout {} ms; SIGINT/SIGTERM to stop",
        cfg.max_body_bytes,
        cfg.timeout.as_millis()
    );
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.map_err(|e| format!("server error: {e}"))?;
    eprintln!("pipelab serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => eprintln!("pipelab serve: SIGINT, finishing requests in flight"),
        _ = term => eprintln!("pipelab serve: SIGTERM, finishing requests in flight"),
    }
}

/// The deadline and the log line around every request.
async fn log_and_deadline(req: Request, next: Next, timeout: Duration) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "REQUEST_TIMEOUT",
            format!("the request took longer than the server's timeout of {} ms (--timeout-ms); send fewer rows per request", timeout.as_millis()),
        ),
    };
    let rows = resp.extensions().get::<Rows>().map_or(0, |r| r.0);
    eprintln!("pipelab serve: {method} {path} {} rows={rows} {:.2}ms", resp.status().as_u16(), start.elapsed().as_secs_f64() * 1000.0);
    resp
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json_response(status, json!({"error_code": code, "message": message.into()}).to_string())
}

fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

async fn ping() -> Response {
    json_response(StatusCode::OK, "{\"status\":\"ok\"}".into())
}

async fn version_info(State(s): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, s.version.clone())
}

async fn schema_info(State(s): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, s.schema.clone())
}

async fn not_found(req: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
        format!("no endpoint {} {}; the server answers GET /ping, /health, /version, /schema and POST /invocations", req.method(), req.uri().path()),
    )
}

/// A parsed request body: what to score.
enum Input {
    Records { columns: Vec<String>, rows: Vec<Vec<Value>> },
    Csv(Bytes),
}

impl Input {
    fn n_rows(&self) -> usize {
        match self {
            Input::Records { rows, .. } => rows.len(),
            // Data lines (a quoted newline would count twice: only for the log line).
            Input::Csv(b) => b.split(|&c| c == b'\n').filter(|l| !l.trim_ascii().is_empty()).count().saturating_sub(1),
        }
    }
}

async fn invocations(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RESOURCE_LIMIT_EXCEEDED",
                "the request body is larger than the server's limit (--max-body-bytes); send fewer rows per request".to_string(),
            )
        }
        Err(rej) => return bad_request(format!("cannot read the request body: {}", rej.body_text())),
    };
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let input = match mime.as_str() {
        "application/json" => match parse_json(&body) {
            Ok(i) => i,
            Err(m) => return bad_request(m),
        },
        "text/csv" => Input::Csv(body),
        "" => return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "BAD_REQUEST", "the request has no Content-Type; send application/json or text/csv"),
        other => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "BAD_REQUEST",
                format!("Content-Type {other:?} is not supported; send application/json (dataframe_split or dataframe_records) or text/csv"),
            )
        }
    };
    let n_rows = input.n_rows();
    let state = s.clone();
    // CPU work: off the async workers.
    let result = tokio::task::spawn_blocking(move || match &input {
        Input::Records { columns, rows } => api::predict_records(&state.model, columns, rows),
        Input::Csv(b) => api::predict_csv_scores(&state.model, b),
    })
    .await;
    let mut resp = match result {
        Ok(Ok(scores)) => match serde_json::to_string(&scores) {
            Ok(body) => json_response(StatusCode::OK, body),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", format!("cannot write the answer: {e}")),
        },
        Ok(Err(e)) => error(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", format!("prediction failed unexpectedly: {e}")),
    };
    resp.extensions_mut().insert(Rows(n_rows));
    resp
}

/// The two pandas orientations MLflow accepts, into column names and rows of cells.
fn parse_json(body: &[u8]) -> Result<Input, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(mut top) = v else {
        return Err("the JSON body must be an object with one key: dataframe_split or dataframe_records".into());
    };
    let keys: Vec<String> = top.keys().cloned().collect();
    if keys.len() != 1 {
        return Err(format!("the JSON body must have exactly one key, dataframe_split or dataframe_records; it has {}: {}", keys.len(), keys.join(", ")));
    }
    match keys[0].as_str() {
        "dataframe_split" => {
            let Some(Value::Object(mut split)) = top.remove("dataframe_split") else {
                return Err("dataframe_split must be an object {\"columns\": [...], \"data\": [[...], ...]}".into());
            };
            let columns = match split.remove("columns") {
                Some(Value::Array(c)) => c
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| match v {
                        Value::String(s) => Ok(s),
                        other => Err(format!("dataframe_split.columns[{k}] must be a column name (a string), not {other}")),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Some(_) => return Err("dataframe_split.columns must be a list of column names".into()),
                None => return Err("dataframe_split needs \"columns\" (the column names) and \"data\" (a list of rows)".into()),
            };
            let rows = match split.remove("data") {
                Some(Value::Array(rows)) => rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| match r {
                        Value::Array(cells) if cells.len() == columns.len() => Ok(cells),
                        Value::Array(cells) => Err(format!(
                            "dataframe_split.data[{i}] (row {}) has {} value(s) but {} column(s) are named",
                            i + 1,
                            cells.len(),
                            columns.len()
                        )),
                        _ => Err(format!("dataframe_split.data[{i}] (row {}) must be a list of values", i + 1)),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Some(_) => return Err("dataframe_split.data must be a list of rows (lists of values)".into()),
                None => return Err("dataframe_split needs \"data\" (a list of rows)".into()),
            };
            if let Some(k) = split.keys().find(|k| k.as_str() != "index") {
                return Err(format!("dataframe_split has an unknown field {k:?}; it takes columns, data and index"));
            }
            Ok(Input::Records { columns, rows })
        }
        "dataframe_records" => {
            let Some(Value::Array(recs)) = top.remove("dataframe_records") else {
                return Err("dataframe_records must be a list of objects {\"column\": value, ...}".into());
            };
            let mut columns: Vec<String> = Vec::new();
            let mut objs = Vec::with_capacity(recs.len());
            for (i, r) in recs.into_iter().enumerate() {
                let Value::Object(o) = r else {
                    return Err(format!("dataframe_records[{i}] (row {}) must be an object {{\"column\": value, ...}}", i + 1));
                };
                for k in o.keys() {
                    if !columns.contains(k) {
                        columns.push(k.clone());
                    }
                }
                objs.push(o);
            }
            // A column absent from a record is missing in that row (as pandas reads it).
            let rows = objs.into_iter().map(|mut o| columns.iter().map(|c| o.remove(c).unwrap_or(Value::Null)).collect()).collect();
            Ok(Input::Records { columns, rows })
        }
        other => Err(format!(
            "unsupported JSON input key {other:?}; send dataframe_split ({{\"columns\": [...], \"data\": [[...]]}}) or dataframe_records ([{{...}}, ...]), or a text/csv body"
        )),
    }
}
