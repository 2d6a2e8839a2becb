//! "Open pizza on demand": welcome, and listen.

use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer() -> ResponseEnvelope {
    ResponseEnvelope::ask(speech::welcome(), speech::what_to_say())
}
