//! What the user has set, as read models: an integration card's additional settings, the loyalty
//! settings, the console's preferences and the sync schedule's interval.

pub mod desktop;
pub mod integration_settings;
pub mod loyalty;
pub mod page_context;
pub mod preferences;
pub mod schedule;
