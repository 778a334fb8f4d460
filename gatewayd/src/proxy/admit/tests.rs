//! Admission beside the body read: who wins, and that admission always finishes.

use std::future::{pending, ready};

use http::StatusCode;
use tokio::sync::oneshot;

use super::alongside;
use crate::model::Failure;
use crate::proxy::respond::Reject;

fn refused() -> Reject {
    Reject::new(Failure::RateLimited, StatusCode::TOO_MANY_REQUESTS, "limit")
}

fn too_large() -> Reject {
    Reject::new(Failure::BodyTooLarge, StatusCode::PAYLOAD_TOO_LARGE, "big")
}

type Verdict = Result<u32, Reject>;

/// Runs `alongside` with admission decided later through the returned sender and the
/// read already over with `read`; checks it waits for the verdict.
async fn admission_decided_after(
    read: Result<&'static str, Reject>,
) -> (
    oneshot::Sender<Verdict>,
    tokio::task::JoinHandle<Result<(u32, &'static str), Reject>>,
) {
    let (decide, decided) = oneshot::channel::<Verdict>();
    let admission = async move { decided.await.expect("a verdict") };
    let task = tokio::spawn(alongside(admission, ready(read)));
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!task.is_finished(), "it waits for admission's verdict");
    (decide, task)
}

#[tokio::test]
async fn a_refusal_answers_without_waiting_for_the_body() {
    let reading = pending::<Result<(), Reject>>();
    let outcome = alongside(ready(Err::<(), _>(refused())), reading).await;
    assert_eq!(
        outcome.err().map(|r| r.status),
        Some(StatusCode::TOO_MANY_REQUESTS)
    );
}

/// The status answered when the body fails (413) before admission decides `verdict`.
async fn answer_to_a_bad_body_admitted_with(verdict: Verdict) -> Option<StatusCode> {
    let (decide, task) = admission_decided_after(Err(too_large())).await;
    let _ = decide.send(verdict);
    task.await.expect("no panic").err().map(|r| r.status)
}

#[tokio::test]
async fn a_body_that_fails_first_still_waits_for_admission_which_wins() {
    let answer = answer_to_a_bad_body_admitted_with(Err(refused())).await;
    assert_eq!(answer, Some(StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn an_admitted_request_with_a_bad_body_is_refused_for_its_body() {
    let answer = answer_to_a_bad_body_admitted_with(Ok(7)).await;
    assert_eq!(answer, Some(StatusCode::PAYLOAD_TOO_LARGE));
}

#[tokio::test]
async fn both_finish_in_either_order() {
    let (decide, task) = admission_decided_after(Ok("body")).await;
    let _ = decide.send(Ok(1));
    assert_eq!(task.await.expect("no panic").ok(), Some((1, "body")));
    let (send_body, body) = oneshot::channel::<&'static str>();
    let reading = async move { Ok(body.await.expect("a body")) };
    let task = tokio::spawn(alongside(ready(Ok(2)), reading));
    tokio::task::yield_now().await;
    assert!(
        !task.is_finished(),
        "an admitted request still waits for its body"
    );
    let _ = send_body.send("body");
    assert_eq!(task.await.expect("no panic").ok(), Some((2, "body")));
}
