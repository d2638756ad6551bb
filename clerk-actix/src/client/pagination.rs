//! Walking every page of a list as one `Stream` of items.

use std::future::Future;

use futures_util::stream::{self, Stream, TryStreamExt};
use serde::Serialize;

use super::ApiError;
use crate::models::Page;

/// Page size used by the `list_all` walks when the params leave `limit` unset: Clerk's
/// default of 10 would mean many more requests.
pub(crate) const WALK_PAGE_SIZE: u32 = 100;

/// Plain pagination for lists that take only `limit` and `offset`.
///
/// ```
/// use clerk_actix::client::PageParams;
///
/// let second_page = PageParams { limit: Some(50), offset: Some(50) };
/// # let _ = second_page;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageParams {
    /// Page size, 1..=500 (Clerk's default is 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Objects to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Walks an offset-paginated list: `fetch(offset)` returns one page.
///
/// Stops after a short or empty page, or once `total_count` (when reported) is reached, so a
/// server that ignored `offset` cannot make the walk loop forever on a short list.
pub(crate) fn offset_walk<T, F, Fut>(
    page_size: u32,
    first_offset: u64,
    fetch: F,
) -> impl Stream<Item = Result<T, ApiError>> + 'static
where
    T: 'static,
    F: FnMut(u64) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    struct Walk<F> {
        fetch: F,
        offset: u64,
        done: bool,
    }
    let start = Walk {
        fetch,
        offset: first_offset,
        done: false,
    };
    stream::try_unfold(start, move |mut walk| async move {
        if walk.done {
            return Ok(None);
        }
        let page = (walk.fetch)(walk.offset).await?;
        let received = page.data.len() as u64;
        walk.offset += received;
        walk.done = received < u64::from(page_size)
            || page.total_count.is_some_and(|total| walk.offset >= total);
        Ok(Some((page.data, walk)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

/// Walks a cursor-paginated list: `fetch(None)` returns the first page, `fetch(Some(id))` the
/// page after the object with that id (`starting_after`).
///
/// Stops after a short or empty page, or if the cursor does not advance.
pub(crate) fn cursor_walk<T, F, Fut>(
    page_size: u32,
    id_of: fn(&T) -> &str,
    fetch: F,
) -> impl Stream<Item = Result<T, ApiError>> + 'static
where
    T: 'static,
    F: FnMut(Option<String>) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    struct Walk<F> {
        fetch: F,
        cursor: Option<String>,
        done: bool,
    }
    let start = Walk {
        fetch,
        cursor: None,
        done: false,
    };
    stream::try_unfold(start, move |mut walk| async move {
        if walk.done {
            return Ok(None);
        }
        let page = (walk.fetch)(walk.cursor.clone()).await?;
        let next = page.data.last().map(|item| id_of(item).to_owned());
        walk.done = page.data.len() < page_size as usize || next.is_none() || next == walk.cursor;
        walk.cursor = next;
        Ok(Some((page.data, walk)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures_util::StreamExt;

    use super::*;

    #[actix_rt::test]
    async fn offset_walk_visits_every_page_once() {
        let requested = Rc::new(RefCell::new(Vec::new()));
        let log = requested.clone();
        let items: Vec<u32> = (0..7).collect();
        let stream = offset_walk(3, 0, move |offset| {
            log.borrow_mut().push(offset);
            let start = offset as usize;
            let data = items[start.min(7)..(start + 3).min(7)].to_vec();
            async move { Ok(Page::new(data, Some(7))) }
        });
        let all: Vec<u32> = stream.map(Result::unwrap).collect().await;
        assert_eq!(all, (0..7).collect::<Vec<_>>());
        assert_eq!(*requested.borrow(), [0, 3, 6]);
    }

    #[actix_rt::test]
    async fn offset_walk_stops_at_total_even_if_offset_is_ignored() {
        let calls = Rc::new(RefCell::new(0));
        let counter = calls.clone();
        let stream = offset_walk(2, 0, move |_offset| {
            *counter.borrow_mut() += 1;
            async { Ok(Page::new(vec![1, 2], Some(4))) }
        });
        let all: Vec<i32> = stream.map(Result::unwrap).collect().await;
        assert_eq!(all, [1, 2, 1, 2]);
        assert_eq!(*calls.borrow(), 2);
    }

    #[actix_rt::test]
    async fn walk_ends_after_an_error() {
        let stream = offset_walk::<u8, _, _>(2, 0, |_| async { Err(ApiError::Timeout) });
        let all: Vec<_> = stream.collect().await;
        assert_eq!(all, [Err(ApiError::Timeout)]);
    }

    #[actix_rt::test]
    async fn cursor_walk_follows_last_id_and_stops_when_stuck() {
        let cursors = Rc::new(RefCell::new(Vec::new()));
        let log = cursors.clone();
        let stream = cursor_walk(
            2,
            |s: &String| s.as_str(),
            move |cursor: Option<String>| {
                log.borrow_mut().push(cursor.clone());
                let page = match cursor.as_deref() {
                    None => vec!["a".to_owned(), "b".to_owned()],
                    Some("b") => vec!["c".to_owned(), "d".to_owned()],
                    // A server ignoring the cursor keeps answering the same page.
                    _ => vec!["c".to_owned(), "d".to_owned()],
                };
                async move { Ok(Page::new(page, None)) }
            },
        );
        let all: Vec<String> = stream.map(Result::unwrap).collect().await;
        assert_eq!(all, ["a", "b", "c", "d", "c", "d"]);
        assert_eq!(
            *cursors.borrow(),
            [None, Some("b".to_owned()), Some("d".to_owned())]
        );
    }
}
