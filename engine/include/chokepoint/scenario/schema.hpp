#pragma once
/// The keys each kind of input file accepts, as one table that both the loader (which refuses
/// any other key) and the JSON Schemas for editors are built from, so the two cannot drift.
/// `simulate schema scenario|model|sweep` prints a schema; the build installs all three under
/// share/chokepoint/schemas/ (docs/scenario-reference.md, "Editors").
#include <string>
#include <string_view>
#include <vector>

namespace chokepoint {

/// What a key's value is. Scalars in YAML are text; the types say what the loader parses.
enum class KeyType {
    text,           ///< any scalar, read as text
    integer,        ///< a whole number
    number,         ///< a number
    boolean,        ///< true or false
    date,           ///< YYYY-MM-DD
    month,          ///< YYYY-MM
    quantity,       ///< a number, `$parameter` or a distribution `{dist: ...}`
    date_quantity,  ///< a date or a distribution of dates
    distribution,   ///< a distribution `{dist: ...}`
    choice,         ///< one of the words in `detail` (separated by '|')
    text_list,      ///< a scalar or a list of scalars
    scalar_list,    ///< a list of scalars (numbers or dates)
    text_map,       ///< a mapping of names to scalars
    parameters,     ///< a mapping of parameter names to numbers or distributions
    quantity_map,   ///< a mapping of names to quantities
    object,         ///< a mapping described by the object named in `detail`
    object_list,    ///< a list of mappings described by the object named in `detail`
    events,         ///< the list of events (one object per event kind)
    outputs,        ///< a sweep's outputs (a series or a buyer's measure)
};

struct KeySpec {
    std::string_view name;
    KeyType type;
    /// The object a nested value follows (`object`, `object_list`), or the choices (`choice`).
    std::string_view detail;
    std::string_view description;
};

struct ObjectSpec {
    std::string_view name;  ///< e.g. "model", "node", "event", "event.export_control"
    std::string_view description;
    std::vector<KeySpec> keys;
    std::vector<std::string_view> required;
};

/// Every object of every input file (scenario, model and sweep).
const std::vector<ObjectSpec>& input_objects();
/// The object named `name`; throws std::logic_error for a name no table has.
const ObjectSpec& input_object(std::string_view name);
/// The key names of object `name` (what the loader accepts there).
std::vector<std::string> keys_of(std::string_view name);
/// An event's keys: the common ones and those of its kind (`export_control`, ...).
std::vector<std::string> event_keys_of(std::string_view kind);

enum class InputFileKind { scenario, model, sweep, material };
/// A JSON Schema (draft-07) of one kind of file, built from the tables above; pretty-printed.
std::string json_schema(InputFileKind kind);

}  // namespace chokepoint
