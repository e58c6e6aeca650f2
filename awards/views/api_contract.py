"""The open-data API's parameters, declared once: the views parse requests with these
declarations and the OpenAPI document is generated from them, so the limits, formats and
enumerations a client reads are exactly the ones the code enforces.

Parsing is strict on purpose. An integer is written in plain decimal digits without sign
or leading zeros ("7", not "07", "+7" or "7.0"); a parameter given twice, or given empty, is
refused; codes are upper case as documented. What the document allows is accepted, and
everything else answers 400 with a problem+json body.
"""
import re
from dataclasses import dataclass

from awards.enums import Region

PRIZE_CODES = ("BIP",) + tuple(r.value for r in Region)
REGION_CODES = tuple(r.value for r in Region)
INT32_MAX = 2_147_483_647
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)


class ParameterError(ValueError):
    """A request parameter outside its declaration; the message is for the client."""


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    type: str = "integer"  # "integer" or "string"
    location: str = "query"  # "query" or "path"
    minimum: int | None = None
    maximum: int | None = None
    default: object = None
    enum: tuple | None = None

    def schema(self):
        schema = {"type": self.type}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def openapi(self):
        return {"name": self.name, "in": self.location, "required": self.location == "path",
                "description": self.description, "schema": self.schema()}

    def parse(self, values):
        """The value of this parameter from the list of raw strings the request gave."""
        if not values:
            if self.location == "path":
                raise ParameterError(f"'{self.name}' fehlt.")
            return self.default
        if len(values) > 1:
            raise ParameterError(f"'{self.name}' darf nur einmal angegeben werden.")
        raw = values[0]
        if self.type == "integer":
            if not _DECIMAL.fullmatch(raw):
                raise ParameterError(self._range_message())
            value = int(raw)
            if (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                raise ParameterError(self._range_message())
            return value
        if self.enum is not None and raw not in self.enum:
            raise ParameterError(f"'{self.name}' muss einer dieser Werte sein: "
                                 + ", ".join(self.enum) + ".")
        return raw

    def _range_message(self):
        return (f"'{self.name}' muss eine ganze Zahl zwischen {self.minimum} und "
                f"{self.maximum} sein (nur Ziffern).")


YEAR = Param("year", "Jahrgang des Wettbewerbs", minimum=1900, maximum=2999)
PRIZE = Param("prize", "Preiskürzel: BIP (Bayerischer Integrationspreis) oder das Kürzel "
              "eines Regierungsbezirks", type="string", enum=PRIZE_CODES)
REGION = Param("region", "Regierungsbezirk des ausgezeichneten Projekts", type="string",
               enum=REGION_CODES)
PAGE = Param("page", "Seite der Liste (ab 1); eine Seite nach der letzten ist leer",
             minimum=1, maximum=MAX_PAGE, default=1)
PER_PAGE = Param("per_page", "Einträge je Seite", minimum=1, maximum=MAX_PER_PAGE,
                 default=DEFAULT_PER_PAGE)
WINNER_ID = Param("id", "Dauerhafte Kennung der Auszeichnung", location="path", minimum=1,
                  maximum=INT32_MAX)
CALL_ID = Param("id", "Dauerhafte Kennung der Ausschreibung", location="path", minimum=1,
                maximum=INT32_MAX)


def phase_param(phases):
    return Param("phase", "Phase der Ausschreibung", type="string", enum=tuple(phases))


def parse(params, args, path_values=None):
    """{name: value} for the declared parameters, from the query (a MultiDict) and the
    path; raises ParameterError for the first one out of its declaration."""
    values = {}
    for param in params:
        if param.location == "path":
            raw = (path_values or {}).get(param.name)
            values[param.name] = param.parse([] if raw is None else [raw])
        else:
            values[param.name] = param.parse(args.getlist(param.name))
    return values
