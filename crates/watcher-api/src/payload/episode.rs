//! v3 Client API bodies: face episodes with matched persons, persons, and their pages.
//!
//! Shapes follow `flussonic-openapi` (`episode_base`, `vision/episodes/episode_face`,
//! `vision/person`, `vision/person_match`, `collection_response`). Ids are 64-bit snowflakes and
//! are read exactly (never through `f64`).

use serde_json::{Map, Value};

use super::lenient::{self, Path};
use super::{EpisodeId, PayloadError, PersonId, PersonListId, UnixMs};

/// The person list a person belongs to (`person.person_list`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonListRef {
    /// List id.
    pub id: PersonListId,
    /// List name, if given.
    pub name: Option<String>,
}

/// A person as the v3 API describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Watcher person id (snowflake).
    pub person_id: PersonId,
    /// The person's id in the external system (the ACS object id, by convention); `None` for
    /// faces the identification service created on its own.
    pub external_id: Option<String>,
    /// Display name, if given.
    pub name: Option<String>,
    /// `api` or `identification_service`, as sent.
    pub originator: Option<String>,
    /// Last update (utc ms).
    pub updated_at: Option<UnixMs>,
    /// Set when the person was deleted (utc ms).
    pub deleted_at: Option<UnixMs>,
    /// The person list, if given.
    pub person_list: Option<PersonListRef>,
}

/// One candidate identity of a face episode.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonMatch {
    /// The matched person.
    pub person: Person,
    /// Similarity, 1.0 = certain (`None` when the server omitted it).
    pub match_score: Option<f64>,
}

/// A v3 episode (face episodes carry `matched_persons`; other types have none).
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// Episode id; the same id is re-sent when the episode is updated.
    pub episode_id: EpisodeId,
    /// `face`, `vehicle`, `generic`…, as sent.
    pub episode_type: Option<String>,
    /// Camera (stream) name.
    pub media: Option<String>,
    /// Creation time (utc ms).
    pub opened_at: Option<UnixMs>,
    /// Confirmation time (utc ms).
    pub started_at: Option<UnixMs>,
    /// Last update (utc ms); the long-poll watermark.
    pub updated_at: UnixMs,
    /// Close time (utc ms), once closed.
    pub closed_at: Option<UnixMs>,
    /// Candidate persons, best first as sent.
    pub matched_persons: Vec<PersonMatch>,
}

/// One page of `GET /episodes`.
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodesPage {
    /// Episodes of this page.
    pub episodes: Vec<Episode>,
    /// Cursor of the next page, if any.
    pub next: Option<String>,
}

/// One page of `GET /persons`.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonsPage {
    /// Persons of this page.
    pub persons: Vec<Person>,
    /// Cursor of the next page, if any.
    pub next: Option<String>,
}

/// Parses the body of `GET /watcher/client-api/v3/episodes`.
pub fn parse_episodes_page(body: &[u8]) -> Result<EpisodesPage, PayloadError> {
    let value = lenient::parse_json(body)?;
    let root = lenient::root_object(&value, "an episodes page object")?;
    let path = Path::Root;
    let list_path = path.key("episodes");
    let episodes = lenient::opt_array(root, "episodes", path)?
        .iter()
        .enumerate()
        .map(|(i, item)| read_episode(item, list_path.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(EpisodesPage {
        episodes,
        next: lenient::opt_text(root, "next", path)?,
    })
}

/// Parses the body of `GET /watcher/client-api/v3/persons/{id}`.
pub fn parse_person(body: &[u8]) -> Result<Person, PayloadError> {
    let value = lenient::parse_json(body)?;
    read_person(&value, Path::Root)
}

/// Parses the body of `GET /watcher/client-api/v3/persons`.
pub fn parse_persons_page(body: &[u8]) -> Result<PersonsPage, PayloadError> {
    let value = lenient::parse_json(body)?;
    let root = lenient::root_object(&value, "a persons page object")?;
    let path = Path::Root;
    let list_path = path.key("persons");
    let persons = lenient::opt_array(root, "persons", path)?
        .iter()
        .enumerate()
        .map(|(i, item)| read_person(item, list_path.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(PersonsPage {
        persons,
        next: lenient::opt_text(root, "next", path)?,
    })
}

fn as_object<'v>(
    value: &'v Value,
    path: Path<'_>,
    expected: &'static str,
) -> Result<&'v Map<String, Value>, PayloadError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(lenient::invalid(path, expected, Some(other))),
    }
}

fn read_episode(value: &Value, path: Path<'_>) -> Result<Episode, PayloadError> {
    let map = as_object(value, path, "an episode object")?;
    let matches_path = path.key("matched_persons");
    let matched_persons = lenient::opt_array(map, "matched_persons", path)?
        .iter()
        .enumerate()
        .map(|(i, item)| read_match(item, matches_path.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(Episode {
        episode_id: EpisodeId(lenient::req_u64(map, "episode_id", path)?),
        episode_type: lenient::opt_text(map, "episode_type", path)?,
        media: lenient::opt_text(map, "media", path)?,
        opened_at: lenient::opt_ms(map, "opened_at", path)?,
        started_at: lenient::opt_ms(map, "started_at", path)?,
        updated_at: lenient::req_ms(map, "updated_at", path)?,
        closed_at: lenient::opt_ms(map, "closed_at", path)?,
        matched_persons,
    })
}

fn read_match(value: &Value, path: Path<'_>) -> Result<PersonMatch, PayloadError> {
    let map = as_object(value, path, "a person match object")?;
    let person = map
        .get("person")
        .ok_or_else(|| lenient::invalid(path.key("person"), "a person object", None))?;
    Ok(PersonMatch {
        person: read_person(person, path.key("person"))?,
        match_score: lenient::opt_f64(map, "match_score", path)?,
    })
}

fn read_person(value: &Value, path: Path<'_>) -> Result<Person, PayloadError> {
    let map = as_object(value, path, "a person object")?;
    let person_list = match lenient::opt_object(map, "person_list", path)? {
        Some(list) => {
            let list_path = path.key("person_list");
            Some(PersonListRef {
                id: PersonListId(lenient::req_u64(list, "id", list_path)?),
                name: lenient::opt_text(list, "name", list_path)?,
            })
        }
        None => None,
    };
    Ok(Person {
        person_id: PersonId(lenient::req_u64(map, "person_id", path)?),
        external_id: lenient::opt_text(map, "external_id", path)?,
        name: lenient::opt_text(map, "name", path)?,
        originator: lenient::opt_text(map, "originator", path)?,
        updated_at: lenient::opt_ms(map, "updated_at", path)?,
        deleted_at: lenient::opt_ms(map, "deleted_at", path)?,
        person_list,
    })
}
