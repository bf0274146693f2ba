//! API errors as RFC 9457 problem details (`application/problem+json`), and the JSON and query
//! extractors whose refusals say which field is wrong and what is expected.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::StoreError;
use utoipa::ToSchema;

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name (a JSON path such as `blocks[0].seconds`).
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// A problem details document.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// Invalid fields, for 422 answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error a handler answers with.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
    /// Seconds to wait, sent as `Retry-After` (429 answers).
    retry_after: Option<u64>,
}

impl ApiError {
    /// Any status with a detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 429: too many attempts; try again after this many seconds (sent as `Retry-After`).
    pub fn too_many_requests(detail: impl Into<String>, retry_after_secs: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
        }
    }

    /// The seconds to wait before trying again, for a 429.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// 400: the request cannot be read.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 403: credentials valid, action not allowed.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 404, for missing ids and other people's ids alike.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("no such {what}"))
    }

    /// 409: the request conflicts with what is stored.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 422 naming each invalid field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: format!("invalid fields: {}", names.join(", ")),
            errors,
            retry_after: None,
        }
    }

    /// 422 for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// 500 without leaking internals; the cause is logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to handle this request; it has been logged",
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, for people.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The invalid fields of a 422.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    fn problem(&self) -> Problem {
        let title = self
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_string();
        Problem {
            kind: match self.status.as_u16() {
                422 => "https://retrostride.invalid/problems/invalid-fields".to_string(),
                _ => "about:blank".to_string(),
            },
            title,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => ApiError::conflict(format!("{what} already exists")),
            StoreError::NotEmpty => ApiError::conflict(e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

/// Splits serde's "field: message at line 1 column 9" into a field path and a message.
fn json_field_error(text: &str) -> FieldError {
    // serde_path_to_error formats as "PATH: MESSAGE"; "." means the document itself.
    let text = text.trim();
    let (field, message) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_string(), rest.to_string()),
        _ => (".".to_string(), text.to_string()),
    };
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    // "missing field `email`" names its field only in the message: lift it out.
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_string());
    let field = match (field.as_str(), named) {
        (".", Some(name)) => name,
        (".", None) => ".".to_string(),
        (_, Some(name)) => format!("{field}.{name}"),
        (_, None) => field,
    };
    FieldError { field, message }
}

/// A JSON body whose refusals are problem+json: 415 without a JSON content type, 400 for
/// malformed JSON, 422 naming the field for well-formed JSON of the wrong shape. Every body
/// this API takes is a JSON object: an array or a scalar is refused before serde sees it,
/// because serde's derived structs would otherwise accept `[a, b, c]` as their fields in order.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json_content_type(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "the body is larger than this endpoint accepts",
                    )
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            // Not JSON at all (or empty): a syntax error, as serde would report it.
            None => {
                return Err(ApiError::bad_request(
                    "the body is empty: expected a JSON object",
                ));
            }
            Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                return Err(ApiError::field(
                    ".",
                    "expected a JSON object ({...}) as the body",
                ));
            }
            Some(_) => {}
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `application/json` or any `application/*+json`, as axum's own `Json` accepts.
fn is_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            ApiError::invalid(vec![json_field_error(&e.body_text().replace(
                "Failed to deserialize the JSON body into the target type: ",
                "",
            ))])
        }
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(format!(
            "the body is not valid JSON: {}",
            e.body_text()
                .replace("Failed to parse the request body as JSON: ", "")
        )),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON with Content-Type: application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is larger than this endpoint accepts",
        ),
        other => ApiError::new(other.status(), other.body_text()),
    }
}

/// Query parameters whose refusals are 422 problem+json naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e
                    .body_text()
                    .replace("Failed to deserialize query string: ", "");
                Err(ApiError::invalid(vec![json_field_error(&text)]))
            }
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_paths_become_field_names() {
        let e = json_field_error(
            "blocks[0].seconds: invalid type: string \"x\", expected u32 at line 1 column 40",
        );
        assert_eq!(e.field, "blocks[0].seconds");
        assert_eq!(e.message, "invalid type: string \"x\", expected u32");
        let whole = json_field_error("missing field `email` at line 1 column 2");
        assert_eq!(whole.field, "email");
        assert_eq!(json_field_error("expected value").field, ".");
        assert_eq!(whole.message, "missing field `email`");
    }

    #[test]
    fn problems_carry_their_status_and_fields() {
        let p = ApiError::field("rpe", "expected 6 to 20").problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.detail, "invalid fields: rpe");
        assert_eq!(ApiError::not_found("session").problem().title, "Not Found");
    }
}
