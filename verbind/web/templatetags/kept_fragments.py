"""``{% kept "name" part … %}…{% endkept %}``: a part of a page kept while nothing is written.

The frame of every signed-in page (the navigation with its counts and the account menu)
asks the database three questions and reverses a dozen addresses, and shows the same thing
until something is written. It is kept the way ``web.kept`` keeps a
page: under the address, the reader's language, zone and form token, the parts named in
the tag, the minute, and the database's change marker.
"""

from __future__ import annotations

from django import template

from verbind.web.kept import kept

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name: str, parts: list):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context) -> str:
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        parts = tuple(repr(part.resolve(context)) for part in self.parts)
        return kept(request, ("fragment", self.name, *parts), lambda: self.nodelist.render(context))


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name: {% kept \"frame\" … %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return KeptNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
