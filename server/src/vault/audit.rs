//! What the vault writes to the audit log about its operations: one entry per operation,
//! success or refusal, written by the vault in the same store write as the operation (the
//! store's own hash chain and seal are in `store/audit.rs`).
//!
//! An entry holds the vault's request id, the client's address, the authenticated merchant and
//! key kind, the action, a token only when it exists, the outcome (`ok` or the contract's code)
//! and, for a refusal, the method and route labels (`vault/request.rs`). Nothing else of the
//! request: the client chose every byte of it.

use super::{Error, RequestContext, Vault, now_unix};
use crate::store::AuditEvent;

/// Who is asking, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditContext {
    /// The request id (the vault's).
    pub request_id: Option<String>,
    /// The merchant, once authenticated.
    pub merchant_id: Option<String>,
    /// `publishable`, `secret` or `operator`.
    pub key_kind: Option<&'static str>,
    /// The client's address.
    pub client: Option<String>,
}

impl AuditContext {
    /// A request's context before authentication.
    pub(crate) fn of(request: &RequestContext) -> AuditContext {
        AuditContext {
            request_id: Some(request.id().to_owned()),
            merchant_id: None,
            key_kind: None,
            client: request.client().map(|ip| ip.to_string()),
        }
    }

    /// An audit event for `action` with `outcome` (`ok` or an error code).
    pub fn event(&self, action: &str, token: Option<&str>, outcome: &str) -> AuditEvent {
        AuditEvent {
            at: now_unix(),
            request_id: self.request_id.clone(),
            merchant_id: self.merchant_id.clone(),
            key_kind: self.key_kind.map(str::to_owned),
            client: self.client.clone(),
            action: action.to_owned(),
            token: token.map(str::to_owned),
            outcome: outcome.to_owned(),
            detail: None,
        }
    }
}

/// An operator's action (a command of the CLI, an unlock), for the audit log: no request and no
/// client, key kind `operator`, outcome `ok`.
pub fn operator_event(
    merchant_id: Option<&str>,
    action: &str,
    detail: Option<String>,
) -> AuditEvent {
    AuditEvent {
        at: now_unix(),
        request_id: None,
        merchant_id: merchant_id.map(str::to_owned),
        key_kind: Some("operator".to_owned()),
        client: None,
        action: action.to_owned(),
        token: None,
        outcome: "ok".to_owned(),
        detail,
    }
}

impl Vault {
    /// Audits a refusal of `action` that the store did not write with an operation (nothing
    /// was stored), within the refusals' allowance (`vault/refusals.rs`), and returns `error`.
    pub(crate) async fn refuse(
        &self,
        who: &AuditContext,
        request: &RequestContext,
        action: &'static str,
        error: Error,
    ) -> Error {
        let mut event = who.event(action, None, error.code());
        event.detail = Some(format!("{} {}", request.method(), request.route()));
        let events = self.refusals.admit(now_unix(), event);
        if !events.is_empty() {
            self.append_audit(events).await;
        }
        error
    }

    /// A request to no route of the vault's, refused and audited.
    pub async fn unknown_route(&self, request: &RequestContext) -> Error {
        self.refuse(
            &AuditContext::of(request),
            request,
            "refused",
            Error::NotFound,
        )
        .await
    }

    /// Appends entries, logging (not failing) if the store refuses them.
    pub(crate) async fn append_audit(&self, events: Vec<AuditEvent>) {
        if let Err(e) = self.store.append_audits(events).await {
            tracing::error!(error = %e, "appending to the audit log failed");
        }
    }
}
