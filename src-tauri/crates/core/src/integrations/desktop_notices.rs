//! What the desktop says outside the window: the bell's changes between two looks — a
//! notification raised (a sync stopped, a store became unmapped) and a stopped sync that works
//! again — each with the place in the app that has the fix.

use super::notifications::{Notification, NotificationKind};

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopNotice {
    /// Its one line.
    pub title: String,
    /// What happened and what to do.
    pub body: String,
    /// The kind of notification it comes from, which names the page with the fix.
    pub about: NotificationKind,
}

/// The notices for the bell going from `before` to `after`: every notification new in `after`,
/// and every stopped sync of `before` that `after` no longer has (its next sync worked).
pub fn changes(before: &[Notification], after: &[Notification]) -> Vec<DesktopNotice> {
    let held = |list: &[Notification], n: &Notification| {
        list.iter()
            .any(|other| other.kind == n.kind && other.subject == n.subject)
    };
    let raised = after
        .iter()
        .filter(|n| !held(before, n))
        .map(|n| DesktopNotice {
            title: n.title.clone(),
            body: n.body.clone(),
            about: n.kind,
        });
    let recovered = before
        .iter()
        .filter(|n| n.kind == NotificationKind::SyncFailed && !held(after, n))
        .map(|n| DesktopNotice {
            title: format!(
                "Working again: {}",
                n.title.replace(" sync stopped for ", " sync of ")
            ),
            body: "The last sync worked; there is nothing left to fix.".to_string(),
            about: n.kind,
        });
    raised.chain(recovered).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(kind: NotificationKind, subject: &str, title: &str) -> Notification {
        Notification {
            id: 0,
            kind,
            subject: subject.into(),
            title: title.into(),
            body: "what to do".into(),
            created_at: String::new(),
        }
    }

    #[test]
    fn a_raised_notification_and_a_recovery_are_told_once() {
        let stopped = notification(
            NotificationKind::SyncFailed,
            "c1",
            "POSaBIT sync stopped for “Capitol Hill”",
        );
        let unmapped = notification(
            NotificationKind::UnmappedStore,
            "c2",
            "Unmapped store: “Ballard”",
        );
        let raised = changes(&[], std::slice::from_ref(&stopped));
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].title, stopped.title);
        assert_eq!(raised[0].about, NotificationKind::SyncFailed);

        assert!(
            changes(
                std::slice::from_ref(&stopped),
                std::slice::from_ref(&stopped)
            )
            .is_empty(),
            "nothing new"
        );

        let later = changes(
            std::slice::from_ref(&stopped),
            std::slice::from_ref(&unmapped),
        );
        assert_eq!(later.len(), 2);
        assert_eq!(later[0].title, "Unmapped store: “Ballard”");
        assert_eq!(
            later[1].title,
            "Working again: POSaBIT sync of “Capitol Hill”"
        );

        // A store mapped at last is its own fix, not news.
        assert!(changes(&[unmapped], &[]).is_empty());
    }
}
