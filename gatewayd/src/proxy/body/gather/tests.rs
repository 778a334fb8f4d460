use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::task::{waker, ArcWake};

use super::*;

/// What the scripted upstream does at each poll.
enum Step {
    Chunk(&'static str),
    Wait,
    Fail,
}

struct Script(VecDeque<Step>);

impl Stream for Script {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0.pop_front() {
            Some(Step::Chunk(s)) => Poll::Ready(Some(Ok(Bytes::from_static(s.as_bytes())))),
            Some(Step::Wait) => Poll::Pending,
            Some(Step::Fail) => Poll::Ready(Some(Err("cut".into()))),
            None => Poll::Ready(None),
        }
    }
}

#[derive(Default)]
struct Wakes(AtomicUsize);

impl ArcWake for Wakes {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `steps` through `Gathered` until it ends: what each poll gave (a chunk's text,
/// `-` for pending, `!` for an error) and how often it woke itself.
fn run(steps: impl IntoIterator<Item = Step>) -> (Vec<String>, usize) {
    let wakes = Arc::new(Wakes::default());
    let waker = waker(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut gathered = Gathered::new(Box::pin(Script(steps.into_iter().collect())));
    let mut seen = Vec::new();
    loop {
        match Pin::new(&mut gathered).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(b))) => seen.push(String::from_utf8(b.to_vec()).unwrap()),
            Poll::Ready(Some(Err(_))) => seen.push("!".into()),
            Poll::Ready(None) => break,
            Poll::Pending => seen.push("-".into()),
        }
        assert!(seen.len() < 100, "never ended: {seen:?}");
    }
    (seen, wakes.0.load(Ordering::SeqCst))
}

#[test]
fn what_arrives_while_yielding_goes_out_together() {
    use Step::*;
    let steps = [
        Chunk("a"),
        Wait,
        Chunk("b"),
        Chunk("c"),
        Wait,
        Chunk("d"),
        Wait,
        Wait,
        Wait,
        Chunk("e"),
    ];
    let (seen, wakes) = run(steps);
    assert_eq!(seen, ["a", "-", "-", "-", "bcd", "e"], "the first at once");
    assert_eq!(wakes, 3, "a chunk starts the yields afresh, two at most");
}

#[test]
fn a_quiet_upstream_is_waited_for_without_spinning() {
    use Step::*;
    let steps = [
        Wait,
        Wait,
        Chunk("a"),
        Wait,
        Wait,
        Wait,
        Chunk("b"),
        Wait,
        Wait,
        Wait,
    ];
    let (seen, wakes) = run(steps);
    assert_eq!(seen, ["-", "-", "a", "-", "-", "-", "-", "b"]);
    assert_eq!(wakes, 2, "only held bytes are worth a yield");
}

#[test]
fn a_lone_chunk_is_handed_on_as_it_came() {
    let original = Bytes::from_static(b"data: {}\n\n");
    let chunks = [Ok::<_, BoxError>(original.clone())];
    let mut gathered = Gathered::new(Box::pin(futures_util::stream::iter(chunks)));
    let waker = futures_util::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let Poll::Ready(Some(Ok(out))) = Pin::new(&mut gathered).poll_next(&mut cx) else {
        panic!("the chunk was held back");
    };
    assert_eq!(out.as_ptr(), original.as_ptr(), "copied");
    assert!(matches!(
        Pin::new(&mut gathered).poll_next(&mut cx),
        Poll::Ready(None)
    ));
}

#[test]
fn the_end_and_a_cut_follow_what_was_held() {
    use Step::*;
    assert_eq!(run([Chunk("a"), Chunk("b")]).0, ["ab"]);
    let (seen, _) = run([
        Chunk("a"),
        Wait,
        Chunk("b"),
        Wait,
        Chunk("c"),
        Fail,
        Chunk("x"),
    ]);
    assert_eq!(seen, ["a", "-", "bc", "!"]);
    assert_eq!(run([Fail]).0, ["!"]);
}

#[test]
fn enough_bytes_go_out_without_waiting_for_more() {
    let big: &'static str = Box::leak("x".repeat(ENOUGH / 2).into_boxed_str());
    let (seen, wakes) = run([Step::Chunk(big), Step::Chunk(big), Step::Chunk("tail")]);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].len(), ENOUGH);
    assert_eq!(seen[1], "tail");
    assert_eq!(wakes, 0);
}
