"""StreamField blocks of the content pages. Each renders with a template in site/templates/cms/blocks/."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quotation"))
    attribution = blocks.CharBlock(label=_("who said it"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("quote")
        template = "cms/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    """A sentence and one clear button; the link goes to a page or to an address."""

    text = blocks.CharBlock(label=_("sentence"), max_length=300)
    button_label = blocks.CharBlock(label=_("button label"), max_length=80)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or give an address."))}
            )
        return value

    class Meta:
        icon = "pick"
        label = _("call to action")
        template = "cms/blocks/call_to_action.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=300)
    answer = blocks.RichTextBlock(label=_("answer"), features=["bold", "italic", "link", "ol", "ul"])


class FAQBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=200)
    questions = blocks.ListBlock(QuestionBlock(), label=_("questions"))

    class Meta:
        icon = "help"
        label = _("frequently asked questions")
        template = "cms/blocks/faq.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("heading"), max_length=200, form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("text"), features=["h3", "bold", "italic", "link", "ol", "ul", "document-link"],
        template="cms/blocks/paragraph.html",
    )
    image = ImageBlock(label=_("image"), template="cms/blocks/image.html")
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    faq = FAQBlock()


class PageLinkBlock(blocks.StructBlock):
    """A page of the website: readers see its translation in their language, under its title."""

    page = blocks.PageChooserBlock(label=_("page"))

    class Meta:
        icon = "doc-empty"
        label = _("page")


class ExternalLinkBlock(blocks.StructBlock):
    """An address outside the page tree, with its label in each language."""

    url = blocks.URLBlock(label=_("address"))
    label_ja = blocks.CharBlock(label=_("label in Japanese"), max_length=80)
    label_en = blocks.CharBlock(label=_("label in English"), max_length=80)

    class Meta:
        icon = "link-external"
        label = _("other address")


class MenuBlock(blocks.StreamBlock):
    page = PageLinkBlock()
    link = ExternalLinkBlock()
